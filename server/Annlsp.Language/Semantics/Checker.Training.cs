using System.Globalization;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

internal sealed partial class Checker
{
    /// <summary>Collects properties by name, reporting unknown and duplicate ones.</summary>
    /// <param name="ownerKind">"train", "gan" or "diffusion"; with <paramref name="ownerName"/> it names the owner in messages (built only for one)</param>
    private Dictionary<string, PropertySyntax> Properties(PropertyBodySyntax body, IReadOnlyList<PropertyInfo> known, string ownerKind, string ownerName)
    {
        var result = new Dictionary<string, PropertySyntax>();
        foreach (var prop in body.Properties)
        {
            string name = prop.Name.Text;
            if (!IsKnownProperty(known, name))
            {
                var near = NameMatcher.Nearest(name, known.Select(k => k.Name));
                _diagnostics.Add(UnknownProperty(prop.Name.Span, $"{ownerKind} '{ownerName}'", name, near, known.Select(k => k.Name)));
                continue;
            }
            if (!result.TryAdd(name, prop))
                _diagnostics.Add(DuplicateProperty(prop.Name.Span, name, result[name].Name.Span));
        }
        return result;
    }

    private static bool IsKnownProperty(IReadOnlyList<PropertyInfo> known, string name)
    {
        for (int i = 0; i < known.Count; i++) if (known[i].Name == name) return true;
        return false;
    }

    private void CheckTrains()
    {
        var seen = new Dictionary<string, TrainDeclarationSyntax>();
        foreach (var decl in _root.Declarations.OfType<TrainDeclarationSyntax>())
        {
            _cancellation.ThrowIfCancellationRequested();
            string key = decl.Name.Text + (decl.RunName is null ? "" : " as " + decl.RunName.Name.Text);
            if (!decl.Name.IsMissing && !seen.TryAdd(key, decl))
            {
                _diagnostics.Add(DuplicateTrain(decl.RunName?.Name.Span ?? decl.Name.Span, decl.Name.Text, decl.RunName?.Name.Text, seen[key].Name.Span));
            }
            var config = CheckTrain(decl);
            if (config is not null) Trains.Add(config);
        }
    }

    private TrainConfig? CheckTrain(TrainDeclarationSyntax decl)
    {
        string target = decl.Name.Text;
        var (network, gan, diffusion) = ResolveTrainTarget(decl);
        var kind = gan is not null ? gan.Conditional ? TrainKind.Pix2Pix : TrainKind.Gan : diffusion is not null ? TrainKind.Diffusion : TrainKind.Classifier;
        var props = Properties(decl.Body, TrainingCatalog.TrainProperties, "train", target);

        var data = props.TryGetValue("data", out var dataProp) ? ResolveDataSet(dataProp.Value) : null;
        if (!props.ContainsKey("data"))
            _diagnostics.Add(TrainNeedsData(decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, target));

        var optimizer = props.TryGetValue("optimizer", out var optProp) ? ResolveOptimizer(optProp.Value) : DefaultOptimizer(kind);
        int epochs = IntProperty(props, "epochs", 5, 1);
        int batch = IntProperty(props, "batch", 64, 1);
        int checkpoint = IntProperty(props, "checkpoint", 1, 1);
        int defaultScoreSamples = kind == TrainKind.Diffusion ? DiffusionScoreSamples : 1000;
        int scoreSamples = IntProperty(props, "score_samples", defaultScoreSamples, 0);
        if (scoreSamples == 1) { _diagnostics.Add(TooFewScoreSamples(props["score_samples"].Value.Span)); scoreSamples = defaultScoreSamples; }
        int? seed = props.ContainsKey("seed") ? IntProperty(props, "seed", 0, 0) : null;
        string loss = ReadLoss(props, kind);
        string schedule = ReadSchedule(props);
        double labelSmoothing = ReadLabelSmoothing(props);
        bool randomFlip = ReadBool(props, "random_flip");
        int randomShift = ReadRandomShift(props, data);
        string device = ReadDevice(props);
        var preview = ReadPreview(props);
        var (validateFraction, validateOnTest) = ReadValidate(props);
        string? outPath = ReadOut(props);

        if (data is not null && diffusion is not null) CheckDiffusionDataFits(data, dataProp!.Value.Span, diffusion);
        else if (data is not null) CheckDataFits(data, dataProp!.Value.Span, network, gan);

        if (network is not null && kind == TrainKind.Classifier)
            CheckNoBatchStatistic(network, $"trained as a classifier by train '{target}'", decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span);
        if (network is null && gan is null && diffusion is null) return null;
        return new TrainConfig
        {
            Target = target,
            RunName = decl.RunName?.Name.IsMissing == false ? decl.RunName.Name.Text : null,
            Kind = kind,
            Network = network,
            Gan = gan,
            Diffusion = diffusion,
            Data = data ?? new DataSetRef("shapes", null, Shape.Image(1, 28, 28), 4, TrainingCatalog.ShapeClasses),
            Epochs = epochs,
            Batch = batch,
            Optimizer = optimizer ?? DefaultOptimizer(kind),
            Schedule = schedule,
            LabelSmoothing = labelSmoothing,
            RandomFlip = randomFlip,
            RandomShift = randomShift,
            Loss = loss,
            Device = device,
            Seed = seed,
            Preview = preview,
            ValidateFraction = validateFraction,
            ValidateOnTest = validateOnTest,
            CheckpointEvery = checkpoint,
            ScoreSamples = scoreSamples,
            Out = outPath,
            Syntax = decl,
        };
    }

    /// <summary>The network, gan or diffusion a train names; all null when it names none (reported).</summary>
    private (NetworkModel? Network, GanModel? Gan, DiffusionModel? Diffusion) ResolveTrainTarget(TrainDeclarationSyntax decl)
    {
        string target = decl.Name.Text;
        if (decl.Name.IsMissing) return (null, null, null);
        if (_networkSyntax.ContainsKey(target))
        {
            _usedNetworks.Add(target);
            AddReference(_declarations[target], decl.Name.Span, false);
            return (Networks.GetValueOrDefault(target), null, null);
        }
        if (_ganSyntax.ContainsKey(target))
        {
            AddReference(_declarations[target], decl.Name.Span, false);
            return (null, Gans.GetValueOrDefault(target), null);
        }
        if (_diffusionSyntax.ContainsKey(target))
        {
            AddReference(_declarations[target], decl.Name.Span, false);
            return (null, null, Diffusions.GetValueOrDefault(target));
        }
        var near = NameMatcher.Nearest(target, _networkSyntax.Keys.Concat(_ganSyntax.Keys).Concat(_diffusionSyntax.Keys));
        _diagnostics.Add(UnknownTrainTarget(decl.Name.Span, target, near, isBlock: _blocks.ContainsKey(target)));
        return (null, null, null);
    }

    /// <summary>A diffusion model's default `score_samples`: each sample costs a sampler's worth of denoiser passes.</summary>
    internal const int DiffusionScoreSamples = 256;

    // Each reader below returns the property's value, or its default when it is absent or reported.

    private Value? PropertyValue(Dictionary<string, PropertySyntax> props, string name) =>
        props.TryGetValue(name, out var prop) ? Evaluate(prop.Value, Environment.Empty) : null;

    /// <summary>The loss must be the one the kind of training uses; writing it is allowed, the other one is not.</summary>
    private string ReadLoss(Dictionary<string, PropertySyntax> props, TrainKind kind)
    {
        var (loss, trained) = kind switch
        {
            TrainKind.Gan or TrainKind.Pix2Pix => ("bce", "a gan"),
            TrainKind.Diffusion => ("mse", "a diffusion model"),
            _ => ("cross_entropy", "a classifier"),
        };
        var v = PropertyValue(props, "loss");
        if (v is WordValue w && TrainingCatalog.Losses.Any(l => l.Name == w.V))
        {
            if (w.V != loss)
                _diagnostics.Add(WrongLoss(v.Span, trained, loss));
        }
        else if (v is not (null or ErrorValue))
            _diagnostics.Add(UnknownLoss(v.Span, v.Describe()));
        return loss;
    }

    private static readonly string[] ScheduleNames = TrainingCatalog.Schedules.Select(s => s.Name).ToArray();

    private string ReadSchedule(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "schedule");
        if (v is null or ErrorValue) return "constant";
        var known = ScheduleNames;
        if (v is WordValue w && known.Contains(w.V)) return w.V;
        string? text = v switch { WordValue word => word.V, StringValue str => str.V, _ => null };
        var near = text is null ? null : known.Contains(text) ? text : NameMatcher.Nearest(text, known);
        _diagnostics.Add(UnknownSchedule(v.Span, v.Describe(), near, known));
        return "constant";
    }

    private double ReadLabelSmoothing(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "label_smoothing");
        double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
        if (f is >= 0 and < 1) return f.Value;
        if (f is not null)
            _diagnostics.Add(LabelSmoothingOutOfRange(v!.Span, v.Describe()));
        else if (v is not (null or ErrorValue))
            _diagnostics.Add(WrongPropertyType(v.Span, "label_smoothing", "a number", v.Describe()));
        return 0;
    }

    private bool ReadBool(Dictionary<string, PropertySyntax> props, string name)
    {
        var v = PropertyValue(props, name);
        if (v is BoolValue b) return b.V;
        if (v is not (null or ErrorValue))
            _diagnostics.Add(WrongPropertyType(v.Span, name, "true or false", v.Describe()));
        return false;
    }

    /// <summary>A shift as large as the image would move it out of the frame entirely.</summary>
    private int ReadRandomShift(Dictionary<string, PropertySyntax> props, DataSetRef? data)
    {
        int shift = IntProperty(props, "random_shift", 0, 0);
        if (shift == 0 || data is null || !data.Shape.IsImage) return shift;
        long height = data.Shape.Dims[1], width = data.Shape.Dims[2];
        if (shift < Math.Min(height, width)) return shift;
        _diagnostics.Add(RandomShiftTooLarge(props["random_shift"].Value.Span, shift, height, width));
        return 0;
    }

    private string ReadDevice(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "device");
        if (v is null) return "auto";
        string? text = v switch { WordValue w => w.V, StringValue s => s.V, _ => null };
        if (text is not null && (TrainingCatalog.Devices.Any(d => d.Name == text)
            || (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _))))
            return text;
        if (v is not ErrorValue)
            _diagnostics.Add(UnknownDevice(v.Span, v.Describe()));
        return "auto";
    }

    private Pair ReadPreview(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "preview");
        if (v is ShapeValue { Dims.Length: 2 } sh && sh.Dims.All(x => x <= 32)) return new Pair((int)sh.Dims[0], (int)sh.Dims[1]);
        if (v is IntValue { V: >= 1 and <= 32 } i) return new Pair((int)i.V, (int)i.V);
        if (v is not (null or ErrorValue)) _diagnostics.Add(BadPreviewGrid(v.Span, v.Describe()));
        return new Pair(8, 8);
    }

    /// <summary>A held-out fraction of the training data, or the data set's test split (the default).</summary>
    private (double? Fraction, bool OnTest) ReadValidate(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "validate");
        double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
        if (v is null or WordValue { V: "test" }) return (null, true);
        if (f is > 0 and < 1) return (f, false);
        if (v is not ErrorValue)
            _diagnostics.Add(BadValidationSplit(v.Span, v.Describe()));
        return (null, true);
    }

    private string? ReadOut(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "out");
        if (v is StringValue s)
        {
            if (!LeavesWorkspace(s.V)) return s.V;
            _diagnostics.Add(OutPathOutsideWorkspace(v.Span, s.V));
        }
        else if (v is not (null or ErrorValue))
            _diagnostics.Add(WrongPropertyType(v.Span, "out", "a folder path in quotes", v.Describe()));
        return null;
    }

    /// <summary>Absolute paths and paths that climb out with '..' would let a file write outside its workspace.</summary>
    internal static bool LeavesWorkspace(string path)
    {
        if (path.Length == 0) return true;
        if (path.StartsWith('/') || path.StartsWith('\\') || path.StartsWith('~') || (path.Length > 1 && path[1] == ':')) return true;
        int depth = 0;
        foreach (var part in path.Split('/', '\\'))
        {
            if (part is "" or ".") continue;
            if (part == "..") { if (--depth < 0) return true; }
            else depth++;
        }
        return false;
    }

    private static OptimizerConfig DefaultOptimizer(TrainKind kind) =>
        kind switch
        {
            TrainKind.Gan or TrainKind.Pix2Pix => new("adam", 2e-4, 0.5, 0.999, 0, 0, false),
            TrainKind.Diffusion => new("adam", 2e-4, 0.9, 0.999, 0, 0, false), // Ho et al. 2020
            _ => new("adam", 1e-3, 0.9, 0.999, 0, 0, false),
        };

    private int IntProperty(Dictionary<string, PropertySyntax> props, string name, int fallback, int min)
    {
        if (!props.TryGetValue(name, out var prop)) return fallback;
        var v = Evaluate(prop.Value, Environment.Empty);
        if (v is IntValue i && i.V >= min && i.V <= int.MaxValue) return (int)i.V;
        if (v is IntValue bad)
            _diagnostics.Add(PropertyBelowMinimum(v.Span, name, min, bad.V));
        else if (v is not ErrorValue)
            _diagnostics.Add(WrongPropertyType(v.Span, name, "an integer", v.Describe()));
        return fallback;
    }

    private readonly HashSet<string> _batchStatisticWarned = [];

    /// <summary>
    /// minibatchstd (ANN5017) belongs in a gan's discriminator: it makes an example's output depend on its batch,
    /// which a classifier, a generator or a denoiser must not (each example is predicted, drawn or denoised on its own).
    /// Once per network.
    /// </summary>
    private void CheckNoBatchStatistic(NetworkModel network, string role, TextSpan use)
    {
        if (FindLayer(network.Layers, "minibatchstd") is not { } layer || !_batchStatisticWarned.Add(network.Name)) return;
        _diagnostics.Add(BatchStatisticOutsideDiscriminator(layer.UseSite ?? layer.Span, network.Name, role, use));
    }

    private static LayerInstance? FindLayer(IReadOnlyList<LayerInstance> layers, string kind)
    {
        foreach (var l in layers)
        {
            if (l.Kind == kind) return l;
            var inner = FindLayer(l.Body, kind) ?? FindLayer(l.Shortcut, kind) ?? l.Branches.Select(b => FindLayer(b.Chain, kind)).FirstOrDefault(f => f is not null);
            if (inner is not null) return inner;
        }
        return null;
    }
}
