using System.Globalization;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

internal sealed partial class Checker
{
    /// <summary>Collects properties by name, reporting unknown and duplicate ones.</summary>
    private Dictionary<string, PropertySyntax> Properties(PropertyBodySyntax body, IReadOnlyList<PropertyInfo> known, string owner)
    {
        var result = new Dictionary<string, PropertySyntax>();
        foreach (var prop in body.Properties)
        {
            string name = prop.Name.Text;
            if (!IsKnownProperty(known, name))
            {
                var near = NameMatcher.Nearest(name, known.Select(k => k.Name));
                _diagnostics.Add(UnknownProperty(prop.Name.Span, owner, name, near, known.Select(k => k.Name)));
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

    /// <summary>Resolves a network name written as a property value (gan generator, discriminator).</summary>
    private NetworkModel? ResolveNetwork(ExpressionSyntax value, string role)
    {
        if (value is MissingExpressionSyntax) return null;
        if (value is not NameExpressionSyntax name)
        {
            _diagnostics.Add(NotANetworkName(value.Span, role));
            return null;
        }
        string text = name.Name.Text;
        if (_networkSyntax.TryGetValue(text, out var decl))
        {
            _usedNetworks.Add(text);
            AddReference(_declarations[text], name.Name.Span, false);
            return Networks.GetValueOrDefault(text);
        }
        var near = NameMatcher.Nearest(text, _networkSyntax.Keys);
        _diagnostics.Add(UnknownNetwork(name.Span, name.Name.Span, text, near));
        return null;
    }

    private static TextSpan InputSpan(NetworkModel n) =>
        n.Syntax?.Body.Layers.FirstOrDefault()?.Span ?? n.Syntax?.Name.Span ?? default;

    /// <summary>
    /// Where a network's output shape is made, the layer to change when it is wrong: its last layer that can change
    /// a shape (trailing activations, batchnorm, dropout and residuals pass it on), or its input.
    /// </summary>
    private static TextSpan OutputSpan(NetworkModel n) =>
        ShapingLayer(n) is { } layer ? layer.UseSite ?? layer.Span : InputSpan(n);

    private static LayerInstance? ShapingLayer(NetworkModel n)
    {
        for (int i = n.Layers.Count - 1; i >= 0; i--)
            if (n.Layers[i] is { Kind: not "residual", Info.KeepsShape: false } layer) return layer;
        return null;
    }

    /// <summary>Inserts `flatten` right after the layer that makes the network's output, so trailing activations stay last.</summary>
    private static CodeFix? FlattenFix(NetworkModel n)
    {
        var layer = ShapingLayer(n);
        if (layer is null || n.Syntax is null) return null;
        // A layer expanded from a block: insert after the block's use in the network.
        var at = layer.UseSite ?? layer.Span;
        var item = n.Syntax.Body.Layers.FirstOrDefault(l => l.Span.Start <= at.Start && at.End <= l.Span.End);
        return item is null ? null : AppendFlatten(item.Span.End);
    }

    private GanModel CheckGan(GanDeclarationSyntax decl)
    {
        var props = Properties(decl.Body, TrainingCatalog.GanProperties, $"gan '{decl.Name.Text}'");
        NetworkModel? generator = null, discriminator = null;
        foreach (var role in new[] { "generator", "discriminator" })
        {
            if (!props.ContainsKey(role))
                _diagnostics.Add(GanNeedsNetwork(decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, decl.Name.Text, role));
        }
        if (props.TryGetValue("generator", out var g)) generator = ResolveNetwork(g.Value, "generator");
        if (props.TryGetValue("discriminator", out var d)) discriminator = ResolveNetwork(d.Value, "discriminator");

        if (generator is { Input.IsKnown: true } && !generator.Input.IsVector)
            _diagnostics.Add(GeneratorInput(g!.Value.Span, generator.Name, generator.Input, InputSpan(generator)));
        // reshape and flatten only rearrange values: look past them for the generator's last activation.
        var last = generator?.Layers.LastOrDefault(l => l.Kind is not ("reshape" or "flatten"));
        if (generator is not null && last is not null && last.Kind != "tanh" && generator.Output.IsKnown)
        {
            var lastSpan = last.UseSite ?? last.Span;
            _diagnostics.Add(GeneratorNotTanh(lastSpan, generator.Name, last.Kind, g!.Value.Span, decl.Name.Text));
        }
        if (discriminator is { Output.IsKnown: true } && !(discriminator.Output.IsVector && discriminator.Output[0] == 1))
        {
            var output = discriminator.Output;
            _diagnostics.Add(DiscriminatorOutput(d!.Value.Span, discriminator.Name, output, OutputSpan(discriminator),
                output.ElementCount == 1 ? FlattenFix(discriminator) : null));
        }
        if (generator is { Output.IsKnown: true } && discriminator is { Input.IsKnown: true } && !generator.Output.Equals(discriminator.Input))
        {
            _diagnostics.Add(GanShapeMismatch(d!.Value.Span, generator.Name, generator.Output, OutputSpan(generator),
                discriminator.Name, discriminator.Input, InputSpan(discriminator)));
        }
        return new GanModel { Name = decl.Name.Text, Generator = generator, Discriminator = discriminator, Syntax = decl };
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
        NetworkModel? network = null;
        GanModel? gan = null;
        if (!decl.Name.IsMissing)
        {
            if (_networkSyntax.ContainsKey(target))
            {
                _usedNetworks.Add(target);
                AddReference(_declarations[target], decl.Name.Span, false);
                network = Networks.GetValueOrDefault(target);
            }
            else if (_ganSyntax.ContainsKey(target))
            {
                AddReference(_declarations[target], decl.Name.Span, false);
                gan = Gans.GetValueOrDefault(target);
            }
            else
            {
                var near = NameMatcher.Nearest(target, _networkSyntax.Keys.Concat(_ganSyntax.Keys));
                _diagnostics.Add(UnknownTrainTarget(decl.Name.Span, target, near, isBlock: _blocks.ContainsKey(target)));
            }
        }
        var kind = gan is not null ? TrainKind.Gan : TrainKind.Classifier;
        var props = Properties(decl.Body, TrainingCatalog.TrainProperties, $"train '{target}'");

        var data = props.TryGetValue("data", out var dataProp) ? ResolveDataSet(dataProp.Value) : null;
        if (!props.ContainsKey("data"))
            _diagnostics.Add(TrainNeedsData(decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, target));

        var optimizer = props.TryGetValue("optimizer", out var optProp) ? ResolveOptimizer(optProp.Value) : DefaultOptimizer(kind);
        int epochs = IntProperty(props, "epochs", 5, 1);
        int batch = IntProperty(props, "batch", 64, 1);
        int checkpoint = IntProperty(props, "checkpoint", 1, 1);
        int scoreSamples = IntProperty(props, "score_samples", 1000, 0);
        if (scoreSamples == 1) { _diagnostics.Add(TooFewScoreSamples(props["score_samples"].Value.Span)); scoreSamples = 1000; }
        int? seed = props.ContainsKey("seed") ? IntProperty(props, "seed", 0, 0) : null;

        string loss = kind == TrainKind.Gan ? "bce" : "cross_entropy";
        if (props.TryGetValue("loss", out var lossProp))
        {
            var v = Evaluate(lossProp.Value, Environment.Empty);
            if (v is WordValue w && TrainingCatalog.Losses.Any(l => l.Name == w.V))
            {
                if (w.V != loss)
                    _diagnostics.Add(WrongLoss(v.Span, gan: kind == TrainKind.Gan, loss));
            }
            else if (v is not ErrorValue)
                _diagnostics.Add(UnknownLoss(v.Span, v.Describe()));
        }

        string schedule = "constant";
        if (props.TryGetValue("schedule", out var schedProp))
        {
            var v = Evaluate(schedProp.Value, Environment.Empty);
            var known = TrainingCatalog.Schedules.Select(s => s.Name).ToArray();
            if (v is WordValue w && known.Contains(w.V)) schedule = w.V;
            else if (v is not ErrorValue)
            {
                string? text = v switch { WordValue word => word.V, StringValue str => str.V, _ => null };
                var near = text is null ? null : known.Contains(text) ? text : NameMatcher.Nearest(text, known);
                _diagnostics.Add(UnknownSchedule(v.Span, v.Describe(), near, known));
            }
        }

        double labelSmoothing = 0;
        if (props.TryGetValue("label_smoothing", out var lsProp))
        {
            var v = Evaluate(lsProp.Value, Environment.Empty);
            double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
            if (f is >= 0 and < 1) labelSmoothing = f.Value;
            else if (f is not null)
                _diagnostics.Add(LabelSmoothingOutOfRange(v.Span, v.Describe()));
            else if (v is not ErrorValue)
                _diagnostics.Add(WrongPropertyType(v.Span, "label_smoothing", "a number", v.Describe()));
        }

        string device = "auto";
        if (props.TryGetValue("device", out var devProp))
        {
            var v = Evaluate(devProp.Value, Environment.Empty);
            string? text = v switch { WordValue w => w.V, StringValue s => s.V, _ => null };
            if (text is not null && (TrainingCatalog.Devices.Any(d => d.Name == text)
                || (text.StartsWith("cuda:") && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _))))
                device = text;
            else if (v is not ErrorValue)
                _diagnostics.Add(UnknownDevice(v.Span, v.Describe()));
        }

        var preview = new Pair(8, 8);
        if (props.TryGetValue("preview", out var prevProp))
        {
            var v = Evaluate(prevProp.Value, Environment.Empty);
            if (v is ShapeValue { Dims.Length: 2 } sh && sh.Dims.All(x => x <= 32)) preview = new Pair((int)sh.Dims[0], (int)sh.Dims[1]);
            else if (v is IntValue { V: >= 1 and <= 32 } i) preview = new Pair((int)i.V, (int)i.V);
            else if (v is not ErrorValue) _diagnostics.Add(BadPreviewGrid(v.Span, v.Describe()));
        }

        double? validateFraction = null;
        bool validateOnTest = true;
        if (props.TryGetValue("validate", out var valProp))
        {
            var v = Evaluate(valProp.Value, Environment.Empty);
            double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
            if (v is WordValue { V: "test" }) { }
            else if (f is > 0 and < 1) { validateFraction = f; validateOnTest = false; }
            else if (v is not ErrorValue)
                _diagnostics.Add(BadValidationSplit(v.Span, v.Describe()));
        }

        string? outPath = null;
        if (props.TryGetValue("out", out var outProp))
        {
            var v = Evaluate(outProp.Value, Environment.Empty);
            if (v is StringValue s)
            {
                if (LeavesWorkspace(s.V))
                    _diagnostics.Add(OutPathOutsideWorkspace(v.Span, s.V));
                else outPath = s.V;
            }
            else if (v is not ErrorValue)
                _diagnostics.Add(WrongPropertyType(v.Span, "out", "a folder path in quotes", v.Describe()));
        }

        if (data is not null) CheckDataFits(data, dataProp!.Value.Span, network, gan);

        if (network is null && gan is null) return null;
        return new TrainConfig
        {
            Target = target,
            RunName = decl.RunName?.Name.IsMissing == false ? decl.RunName.Name.Text : null,
            Kind = kind,
            Network = network,
            Gan = gan,
            Data = data ?? new DataSetRef("shapes", null, Shape.Image(1, 28, 28), 4, TrainingCatalog.ShapeClasses),
            Epochs = epochs,
            Batch = batch,
            Optimizer = optimizer ?? DefaultOptimizer(kind),
            Schedule = schedule,
            LabelSmoothing = labelSmoothing,
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
        kind == TrainKind.Gan ? new("adam", 2e-4, 0.5, 0.999, 0, 0, false) : new("adam", 1e-3, 0.9, 0.999, 0, 0, false);

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

    /// <summary>
    /// Resolves `name` or `name(args)` against a catalogue (data sets, optimizers): an unknown name is
    /// reported with the nearest known one as a fix; the arguments are bound. Null when anything was reported.
    /// </summary>
    private (string Name, ArgumentValues Args, ArgumentListSyntax? List, TextSpan NameSpan)? ResolveCatalogCall(
        ExpressionSyntax expression, Func<TextSpan, string, string, string?, IReadOnlyList<string>, Diagnostic> unknown,
        IReadOnlyList<string> known, Func<string, ParameterInfo[]?> parametersOf)
    {
        var v = Evaluate(expression, Environment.Empty);
        (string name, ArgumentListSyntax? args, TextSpan nameSpan) = v switch
        {
            WordValue w => (w.V, null, w.Span),
            CallValue c => (c.Name, c.Syntax.Arguments, c.Syntax.Name.Span),
            _ => ("", null, v.Span),
        };
        if (v is ErrorValue) return null;
        var parameters = parametersOf(name);
        if (parameters is null)
        {
            var near = NameMatcher.Nearest(name, known);
            _diagnostics.Add(unknown(nameSpan, name, v.Describe(), near, known));
            return null;
        }
        var bound = BindArguments(args, parameters, name, nameSpan, Environment.Empty);
        return bound is null ? null : (name, bound, args, nameSpan);
    }

    private DataSetRef? ResolveDataSet(ExpressionSyntax expression)
    {
        if (ResolveCatalogCall(expression, UnknownDataSet, TrainingCatalog.DataSets.Select(d => d.Name).ToArray(),
                n => TrainingCatalog.FindDataSet(n)?.Parameters) is not { } call)
            return null;
        var (name, bound, args, nameSpan) = call;
        var info = TrainingCatalog.FindDataSet(name)!;
        string? dir = bound.GetValueOrDefault("dir") as string;
        if (dir == "") dir = null;
        var shape = info.FixedShape;
        if (info.Name == "images")
        {
            var size = (Pair)bound["size"];
            int channels = (int)bound["channels"];
            if (channels is not (1 or 3))
            {
                _diagnostics.Add(UnsupportedChannels(args?.Arguments.FirstOrDefault(a => a.Name?.Text == "channels")?.Value.Span ?? nameSpan, channels));
                return null;
            }
            if (size.H < 1 || size.W < 1) return null;
            shape = Shape.Image(channels, size.H, size.W);
        }
        return new DataSetRef(info.Name, dir, shape!, info.Classes, info.ClassNames);
    }

    private OptimizerConfig? ResolveOptimizer(ExpressionSyntax expression)
    {
        if (ResolveCatalogCall(expression, UnknownOptimizer, TrainingCatalog.Optimizers.Select(o => o.Name).ToArray(),
                n => TrainingCatalog.FindOptimizer(n)?.Parameters) is not { } call)
            return null;
        var (name, b, _, _) = call;
        double D(string key) => b.TryGetValue(key, out var o) ? System.Convert.ToDouble(o, CultureInfo.InvariantCulture) : 0;
        return name == "adam"
            ? new OptimizerConfig("adam", D("lr"), D("beta1"), D("beta2"), D("weight_decay"), 0, false)
            : new OptimizerConfig("sgd", D("lr"), 0, 0, D("weight_decay"), D("momentum"), (bool)b["nesterov"]);
    }

    private void CheckDataFits(DataSetRef data, TextSpan dataSpan, NetworkModel? network, GanModel? gan)
    {
        if (network is not null)
        {
            if (network.Input.IsKnown && !network.Input.Equals(data.Shape))
                _diagnostics.Add(DataShapeMismatch(dataSpan, data.Name, data.Shape, network.Name, network.Input, InputSpan(network)));
            var output = network.Output;
            if (output.IsKnown && network.IsValid)
            {
                // images(…) learns its class count from the folders at training time (Classes = 0).
                if (!output.IsVector)
                    _diagnostics.Add(ClassifierOutputNotVector(dataSpan, data.Name, data.Classes, network.Name, output, OutputSpan(network)));
                else if (data.Classes > 0 && output[0] != data.Classes)
                    _diagnostics.Add(ClassCountMismatch(dataSpan, data.Name, data.Classes, network.Name, output, OutputSpan(network)));
            }
        }
        else if (gan is not null)
        {
            var expected = gan.Discriminator?.Input is { IsKnown: true } d ? d : gan.Generator?.Output;
            if (expected is { IsKnown: true } && !expected.Equals(data.Shape))
            {
                var net = gan.Discriminator ?? gan.Generator!;
                _diagnostics.Add(GanDataShapeMismatch(dataSpan, data.Name, data.Shape, gan.Name, expected, net.Name, InputSpan(net)));
            }
        }
    }
}
