using System.Globalization;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>Data sets and optimizers named in a train, and whether the data fits the network.</summary>
internal sealed partial class Checker
{
    // The catalogues' names, for the nearest-name suggestions (made once, not for every train).
    private static readonly string[] DataSetNames = TrainingCatalog.DataSets.Select(d => d.Name).ToArray();
    private static readonly string[] OptimizerNames = TrainingCatalog.Optimizers.Select(o => o.Name).ToArray();

    /// <summary>
    /// Resolves `name` or `name(args)` against a catalogue (data sets, optimizers): an unknown name is
    /// reported with the nearest known one as a fix; the arguments are bound. Null when anything was reported.
    /// </summary>
    private (string Name, ArgumentValues Args, ArgumentListSyntax? List, TextSpan NameSpan)? ResolveCatalogCall(
        Value v, Func<TextSpan, string, string, string?, IReadOnlyList<string>, Diagnostic> unknown,
        IReadOnlyList<string> known, Func<string, ParameterInfo[]?> parametersOf)
    {
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

    private DataSetRef? ResolveDataSet(ExpressionSyntax expression) => ResolveDataSet(Evaluate(expression, Environment.Empty));

    private DataSetRef? ResolveDataSet(Value value)
    {
        if (ResolveCatalogCall(value, UnknownDataSet, DataSetNames,
                n => TrainingCatalog.FindDataSet(n)?.Parameters) is not { } call)
            return null;
        var (name, bound, args, nameSpan) = call;
        var info = TrainingCatalog.FindDataSet(name)!;
        string? dir = bound.GetValueOrDefault("dir") as string;
        if (dir == "") dir = null;
        var shape = info.FixedShape;
        TextSpan ArgumentSpan(string parameter) => args?.Arguments.FirstOrDefault(a => a.Name?.Text == parameter)?.Value.Span ?? nameSpan;
        switch (info.Name)
        {
            case "images" or "pairs":
            {
                var size = (Pair)bound["size"];
                int channels = (int)bound["channels"];
                if (channels is not (1 or 3))
                {
                    _diagnostics.Add(UnsupportedChannels(ArgumentSpan("channels"), channels, info.Name));
                    return null;
                }
                if (size.H < 1 || size.W < 1) return null;
                shape = Shape.Image(channels, size.H, size.W);
                if (info.Name == "pairs")
                    return new DataSetRef(info.Name, dir, shape, 0, []) { Input = shape, Direction = (string)bound["direction"] };
                break;
            }
            case "edges":
            {
                var sourceValue = (Value)bound["data"];
                var source = ResolveDataSet(sourceValue);
                if (source is null) return null;
                if (source.IsPaired)
                {
                    _diagnostics.Add(EdgesOfPairs(sourceValue.Span, source.Display));
                    return null;
                }
                var size = (Pair)bound["size"];
                if (size.H < 1 || size.W < 1 || !source.Shape.IsImage) return null;
                var target = Shape.Image(source.Shape[0], size.H, size.W);
                return new DataSetRef(info.Name, null, target, source.Classes, source.ClassNames) { Input = Shape.Image(1, size.H, size.W), Source = source };
            }
        }
        return new DataSetRef(info.Name, dir, shape!, info.Classes, info.ClassNames);
    }

    private OptimizerConfig? ResolveOptimizer(ExpressionSyntax expression)
    {
        if (ResolveCatalogCall(Evaluate(expression, Environment.Empty), UnknownOptimizer, OptimizerNames,
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
        if (data.IsPaired && (network is not null || gan is { Conditional: false }))
        {
            string what = network is not null ? $"the network '{network.Name}'"
                : $"the gan '{gan!.Name}', whose generator '{gan.Generator?.Name}' takes {gan.Generator?.Input}";
            _diagnostics.Add(PairsWithoutConditionalGan(dataSpan, data.Display, what));
            return;
        }
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
        else if (gan is { Conditional: true, Generator: { } generator })
        {
            if (data.Input is not { } input)
                _diagnostics.Add(ConditionalGanNeedsPairs(dataSpan, data.Name, gan.Name, generator.Name, generator.Input));
            else if (generator.Input.IsKnown && generator.Output.IsKnown && (!generator.Input.Equals(input) || !generator.Output.Equals(data.Shape)))
                _diagnostics.Add(PairsDoNotFitGenerator(dataSpan, data.Display, input, data.Shape, generator.Name, generator.Input, generator.Output, InputSpan(generator)));
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
