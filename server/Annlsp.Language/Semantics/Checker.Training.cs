using System.Globalization;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticCatalog;

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
                _diagnostics.Add(UnknownProperty, prop.Name.Span,
                    $"{owner} has no property '{name}'{(near is null ? "" : $"; did you mean '{near}'?")} (it takes {string.Join(", ", known.Select(k => k.Name))})",
                    null, near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(prop.Name.Span, near)])]);
                continue;
            }
            if (!result.TryAdd(name, prop))
                _diagnostics.Add(DuplicateProperty, prop.Name.Span, $"'{name}' is given more than once",
                    [new RelatedLocation(result[name].Name.Span, "first given here")]);
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
            _diagnostics.Add(WrongArgumentType, value.Span, $"{role} expects the name of a network");
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
        _diagnostics.Add(UnknownNetwork, name.Span,
            $"Unknown network '{text}'{(near is null ? "" : $"; did you mean '{near}'?")}",
            null, near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(name.Name.Span, near)])]);
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
        return item is null ? null : new CodeFix("Insert flatten", [new TextEdit(new TextSpan(item.Span.End, 0), " -> flatten")]);
    }

    private GanModel CheckGan(GanDeclarationSyntax decl)
    {
        var props = Properties(decl.Body, TrainingCatalog.GanProperties, $"gan '{decl.Name.Text}'");
        NetworkModel? generator = null, discriminator = null;
        foreach (var role in new[] { "generator", "discriminator" })
        {
            if (!props.ContainsKey(role))
                _diagnostics.Add(MissingProperty, decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, $"gan '{decl.Name.Text}' needs a {role}: {role}: NetworkName");
        }
        if (props.TryGetValue("generator", out var g)) generator = ResolveNetwork(g.Value, "generator");
        if (props.TryGetValue("discriminator", out var d)) discriminator = ResolveNetwork(d.Value, "discriminator");

        if (generator is { Input.IsKnown: true } && !generator.Input.IsVector)
            _diagnostics.Add(GeneratorInput, g!.Value.Span,
                $"The generator '{generator.Name}' takes {generator.Input}, but a generator's input must be a latent vector such as input(100)",
                [new RelatedLocation(InputSpan(generator), $"'{generator.Name}' takes {generator.Input} here")]);
        // reshape and flatten only rearrange values: look past them for the generator's last activation.
        var last = generator?.Layers.LastOrDefault(l => l.Kind is not ("reshape" or "flatten"));
        if (generator is not null && last is not null && last.Kind != "tanh" && generator.Output.IsKnown)
        {
            var lastSpan = last.UseSite ?? last.Span;
            _diagnostics.Add(GeneratorNotTanh, lastSpan,
                $"The generator '{generator.Name}' ends in {last.Kind}; DCGAN generators end in tanh so images fall in [−1, 1] like the training data",
                [new RelatedLocation(g!.Value.Span, $"used as the generator of '{decl.Name.Text}' here")],
                new CodeFix("Append -> tanh", [new TextEdit(new TextSpan(lastSpan.End, 0), " -> tanh")]));
        }
        if (discriminator is { Output.IsKnown: true } && !(discriminator.Output.IsVector && discriminator.Output[0] == 1))
        {
            var output = discriminator.Output;
            // One value in an image (1×1×1) needs only flattening; dense(1) on it would be ANN3001.
            bool single = output.ElementCount == 1;
            string advice = single ? "end it with flatten" : output.IsVector ? "end it with dense(1)" : "end it with flatten and dense(1)";
            _diagnostics.Add(DiscriminatorOutput, d!.Value.Span,
                $"The discriminator '{discriminator.Name}' outputs {output}, but it must output one logit (1); {advice}",
                [new RelatedLocation(OutputSpan(discriminator), $"'{discriminator.Name}' outputs {output} here")],
                single && FlattenFix(discriminator) is { } fix ? [fix] : []);
        }
        if (generator is { Output.IsKnown: true } && discriminator is { Input.IsKnown: true } && !generator.Output.Equals(discriminator.Input))
        {
            _diagnostics.Add(GanShapeMismatch, d!.Value.Span,
                $"The generator '{generator.Name}' outputs {generator.Output}, but the discriminator '{discriminator.Name}' expects {discriminator.Input}",
                [
                    new RelatedLocation(OutputSpan(generator), $"'{generator.Name}' outputs {generator.Output} here"),
                    new RelatedLocation(InputSpan(discriminator), $"'{discriminator.Name}' expects {discriminator.Input} here"),
                ]);
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
                _diagnostics.Add(DuplicateTrain, decl.RunName?.Name.Span ?? decl.Name.Span,
                    decl.RunName is null
                        ? $"'{decl.Name.Text}' already has a train declaration; name this one: train {decl.Name.Text} as other {{ … }}"
                        : $"'{key}' is already declared",
                    [new RelatedLocation(seen[key].Name.Span, "the first one is here")]);
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
                _diagnostics.Add(UnknownNetwork, decl.Name.Span,
                    _blocks.ContainsKey(target) ? $"'{target}' is a block; train a network or a gan"
                    : $"Unknown network or gan '{target}'{(near is null ? "" : $"; did you mean '{near}'?")}",
                    null, near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(decl.Name.Span, near)])]);
            }
        }
        var kind = gan is not null ? TrainKind.Gan : TrainKind.Classifier;
        var props = Properties(decl.Body, TrainingCatalog.TrainProperties, $"train '{target}'");

        var data = props.TryGetValue("data", out var dataProp) ? ResolveDataSet(dataProp.Value) : null;
        if (!props.ContainsKey("data"))
            _diagnostics.Add(MissingProperty, decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span,
                $"train '{target}' needs data: for example data: fashion_mnist, or data: shapes (generated, needs no files)");

        var optimizer = props.TryGetValue("optimizer", out var optProp) ? ResolveOptimizer(optProp.Value) : DefaultOptimizer(kind);
        int epochs = IntProperty(props, "epochs", 5, 1);
        int batch = IntProperty(props, "batch", 64, 1);
        int checkpoint = IntProperty(props, "checkpoint", 1, 1);
        int scoreSamples = IntProperty(props, "score_samples", 1000, 0);
        if (scoreSamples == 1) { _diagnostics.Add(OutOfRange, props["score_samples"].Value.Span, "score_samples must be 0 (no scoring) or at least 2: a covariance needs two samples"); scoreSamples = 1000; }
        int? seed = props.ContainsKey("seed") ? IntProperty(props, "seed", 0, 0) : null;

        string loss = kind == TrainKind.Gan ? "bce" : "cross_entropy";
        if (props.TryGetValue("loss", out var lossProp))
        {
            var v = Evaluate(lossProp.Value, Environment.Empty);
            if (v is WordValue w && TrainingCatalog.Losses.Any(l => l.Name == w.V))
            {
                if (w.V != loss)
                    _diagnostics.Add(UnknownLoss, v.Span, kind == TrainKind.Gan ? "A gan is trained with bce" : "A classifier is trained with cross_entropy",
                        null, new CodeFix($"Change to '{loss}'", [new TextEdit(v.Span, loss)]));
            }
            else if (v is not ErrorValue)
                _diagnostics.Add(UnknownLoss, v.Span, $"Unknown loss {v.Describe()}: use cross_entropy (classifiers) or bce (gans)");
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
                _diagnostics.Add(OutOfRange, v.Span, $"schedule expects {string.Join(", ", known[..^1])} or {known[^1]}, but got {v.Describe()}",
                    null, near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(v.Span, near)])]);
            }
        }

        double labelSmoothing = 0;
        if (props.TryGetValue("label_smoothing", out var lsProp))
        {
            var v = Evaluate(lsProp.Value, Environment.Empty);
            double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
            if (f is >= 0 and < 1) labelSmoothing = f.Value;
            else if (f is not null)
                _diagnostics.Add(OutOfRange, v.Span, $"label_smoothing must be ≥ 0 and < 1 (such as 0.1), but is {v.Describe()}");
            else if (v is not ErrorValue)
                _diagnostics.Add(WrongArgumentType, v.Span, $"label_smoothing expects a number, but got {v.Describe()}");
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
                _diagnostics.Add(UnknownDevice, v.Span, $"Unknown device {v.Describe()}: use auto, cpu, cuda or cuda:N");
        }

        var preview = new Pair(8, 8);
        if (props.TryGetValue("preview", out var prevProp))
        {
            var v = Evaluate(prevProp.Value, Environment.Empty);
            if (v is ShapeValue { Dims.Length: 2 } sh && sh.Dims.All(x => x <= 32)) preview = new Pair((int)sh.Dims[0], (int)sh.Dims[1]);
            else if (v is IntValue { V: >= 1 and <= 32 } i) preview = new Pair((int)i.V, (int)i.V);
            else if (v is not ErrorValue) _diagnostics.Add(OutOfRange, v.Span, $"preview expects a grid RxC such as 8x8 (at most 32x32), but got {v.Describe()}");
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
                _diagnostics.Add(OutOfRange, v.Span, $"validate expects a fraction between 0 and 1 (such as 0.1) or test, but got {v.Describe()}");
        }

        string? outPath = null;
        if (props.TryGetValue("out", out var outProp))
        {
            var v = Evaluate(outProp.Value, Environment.Empty);
            if (v is StringValue s)
            {
                if (LeavesWorkspace(s.V))
                    _diagnostics.Add(OutPathOutsideWorkspace, v.Span, $"The run folder \"{s.V}\" leaves the workspace; use a relative path inside it such as \"runs/mine\"");
                else outPath = s.V;
            }
            else if (v is not ErrorValue)
                _diagnostics.Add(WrongArgumentType, v.Span, $"out expects a folder path in quotes, but got {v.Describe()}");
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
            _diagnostics.Add(OutOfRange, v.Span, $"{name} must be at least {min}, but is {bad.V}");
        else if (v is not ErrorValue)
            _diagnostics.Add(WrongArgumentType, v.Span, $"{name} expects an integer, but got {v.Describe()}");
        return fallback;
    }

    /// <summary>
    /// Resolves `name` or `name(args)` against a catalogue (data sets, optimizers): an unknown name is
    /// reported with the nearest known one as a fix; the arguments are bound. Null when anything was reported.
    /// </summary>
    private (string Name, ArgumentValues Args, ArgumentListSyntax? List, TextSpan NameSpan)? ResolveCatalogCall(
        ExpressionSyntax expression, DiagnosticDescriptor unknown, string what, IReadOnlyList<string> known, Func<string, ParameterInfo[]?> parametersOf)
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
            _diagnostics.Add(unknown, nameSpan,
                $"Unknown {what} {(name.Length > 0 ? $"'{name}'" : v.Describe())}{(near is null ? "" : $"; did you mean '{near}'?")} (known: {string.Join(", ", known)})",
                null, near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(nameSpan, near)])]);
            return null;
        }
        var bound = BindArguments(args, parameters, name, nameSpan, Environment.Empty);
        return bound is null ? null : (name, bound, args, nameSpan);
    }

    private DataSetRef? ResolveDataSet(ExpressionSyntax expression)
    {
        if (ResolveCatalogCall(expression, UnknownDataSet, "data set", TrainingCatalog.DataSets.Select(d => d.Name).ToArray(),
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
                _diagnostics.Add(OutOfRange, args?.Arguments.FirstOrDefault(a => a.Name?.Text == "channels")?.Value.Span ?? nameSpan, $"images' channels must be 1 or 3, but is {channels}");
                return null;
            }
            if (size.H < 1 || size.W < 1) return null;
            shape = Shape.Image(channels, size.H, size.W);
        }
        return new DataSetRef(info.Name, dir, shape!, info.Classes, info.ClassNames);
    }

    private OptimizerConfig? ResolveOptimizer(ExpressionSyntax expression)
    {
        if (ResolveCatalogCall(expression, UnknownOptimizer, "optimizer", TrainingCatalog.Optimizers.Select(o => o.Name).ToArray(),
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
                _diagnostics.Add(DataShapeMismatch, dataSpan,
                    $"{data.Name} gives {data.Shape}, {network.Name} expects {network.Input}",
                    [new RelatedLocation(InputSpan(network), $"{network.Name} expects {network.Input} here")]);
            var output = network.Output;
            if (output.IsKnown && network.IsValid)
            {
                // images(…) learns its class count from the folders at training time (Classes = 0).
                string count = data.Classes > 0 ? data.Classes.ToString() : "number of classes";
                if (!output.IsVector)
                    _diagnostics.Add(ClassifierOutputNotVector, dataSpan,
                        $"A classifier must output one score per class{(data.Classes > 0 ? $" ({data.Classes} for {data.Name})" : "")}, but {network.Name} outputs {output}; end it with flatten and dense({count})",
                        [new RelatedLocation(OutputSpan(network), $"{network.Name} outputs {output} here")]);
                else if (data.Classes > 0 && output[0] != data.Classes)
                    _diagnostics.Add(ClassCountMismatch, dataSpan,
                        $"{data.Name} has {data.Classes} classes, {network.Name} outputs {output[0]}",
                        [new RelatedLocation(OutputSpan(network), $"{network.Name} outputs {output} here")]);
            }
        }
        else if (gan is not null)
        {
            var expected = gan.Discriminator?.Input is { IsKnown: true } d ? d : gan.Generator?.Output;
            if (expected is { IsKnown: true } && !expected.Equals(data.Shape))
            {
                var net = gan.Discriminator ?? gan.Generator!;
                _diagnostics.Add(DataShapeMismatch, dataSpan,
                    $"{data.Name} gives {data.Shape}, but the gan '{gan.Name}' works on {expected}",
                    [new RelatedLocation(InputSpan(net), $"{net.Name} expects {expected} here")]);
            }
        }
    }
}
