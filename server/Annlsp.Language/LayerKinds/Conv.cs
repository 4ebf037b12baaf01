using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`conv(filters, kernel, …, groups)`: 2-d convolution, grouped and depthwise included (nn.Conv2d).</summary>
internal static class Conv
{
    public static LayerInfo Definition { get; } = new("conv", LayerCategory.Convolution,
        [
            P("filters", ParameterType.Int, null, "Number of output channels (filters).", min: 1),
            P("kernel", ParameterType.IntOrPair, null, "Kernel size: an int or HxW.", min: 1),
            P("stride", ParameterType.IntOrPair, new Pair(1, 1), "Step between kernel positions.", min: 1),
            P("padding", ParameterType.Padding, new Pair(0, 0), "Zeros added on each side: an int, HxW, `same` (keeps H×W; stride 1 only) or `valid` (0).", min: 0),
            P("dilation", ParameterType.IntOrPair, new Pair(1, 1), "Spacing between kernel elements.", min: 1),
            Bias,
            P("groups", ParameterType.Int, 1, "Splits the input channels and the filters into this many groups, each convolved on its own: the input channels and the filters must both be divisible by it (groups = channels = filters is a depthwise convolution).", min: 1),
        ],
        "2-d convolution over a C×H×W image.",
        "C×H×W → F×H'×W', H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1", "nn.Conv2d")
    {
        Needs = InputKind.Image, Rule = Infer, FormulaRule = Formula, LabelRule = Label,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        int filters = c.Int("filters"), groups = c.Int("groups");
        var k = c.Pair("kernel");
        var s = c.Pair("stride");
        var d = c.Pair("dilation");
        bool bias = c.Bool("bias");
        long channels = c.Input[0], h = c.Input[1], w = c.Input[2];
        if (channels % groups != 0 || filters % groups != 0)
        {
            ReportGroups(c, channels, filters, groups);
            return ShapeResult.Unknown;
        }
        long outH, outW;
        if (c.Arguments["padding"] is "same")
        {
            if (s.H != 1 || s.W != 1)
            {
                c.Report(SamePaddingWithStride(c.ArgumentSpan("padding") ?? c.NameSpan, s, SizeKeepingPadding(c, k, d)));
                return ShapeResult.Unknown;
            }
            outH = h; outW = w;
        }
        else
        {
            var p = c.Pair("padding");
            var hr = WindowRules.Axis(c, "height", h, k.H, s.H, p.H, d.H, "kernel", false);
            if (hr is null) return ShapeResult.Unknown;
            var wr = WindowRules.Axis(c, "width", w, k.W, s.W, p.W, d.W, "kernel", false);
            if (wr is null) return ShapeResult.Unknown;
            outH = hr.Value; outW = wr.Value;
            WindowRules.WarnOnDroppedRows(c, "kernel", h, w, k, s, p, d);
        }
        // Each filter sees C/g input channels: PyTorch's weight is F × C/g × kh × kw.
        long perGroup = channels / groups;
        long weights = Counts.Multiply(filters, perGroup, k.H, k.W);
        return c.Sized(Shape.Image(filters, outH, outW),
            Counts.Add(weights, bias ? filters : 0), Counts.Multiply([filters, outH, outW, perGroup, k.H, k.W]));
    }

    /// <summary>ANN3018; the fix, the largest groups that divides both, only for a number written here (not a block's parameter, whose other uses it would change).</summary>
    private static void ReportGroups(ShapeRuleContext c, long channels, int filters, int groups)
    {
        var written = c.WrittenValue("groups", GroupsPosition);
        c.Report(ConvGroupsDoNotDivide(written?.Span ?? c.NameSpan, groups, channels, filters, Gcd(channels, filters),
            written is LiteralExpressionSyntax ? written.Span : null));
    }

    /// <summary>groups' position in the signature, for a value given positionally.</summary>
    private static readonly int GroupsPosition = Array.FindIndex(Definition.Parameters, p => p.Name == "groups");

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>The number that pads like 'same' for a square kernel, with the span of the 'same' it replaces.</summary>
    private static (TextSpan Span, int Value)? SizeKeepingPadding(ShapeRuleContext c, Pair k, Pair d)
    {
        var span = c.ArgumentSpan("padding");
        if (span is null || k.H != k.W || d.H != d.W || (d.H * (k.H - 1)) % 2 != 0) return null;
        return (span.Value, d.H * (k.H - 1) / 2);
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        int groups = (int)args["groups"];
        string counts = groups == 1 ? "" : GroupedParameters(input, output, args, groups);
        if (args["padding"] is "same") return $"padding: same keeps H×W = {input[1]}×{input[2]}{counts}";
        var (k, s, p, d) = ((Pair)args["kernel"], (Pair)args["stride"], (Pair)args["padding"], (Pair)args["dilation"]);
        string h = $"H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊({input[1]} + 2·{p.H} − {d.H}·({k.H}−1) − 1)/{s.H}⌋ + 1 = {output[1]}";
        return (input[1] == input[2] && k.H == k.W && s.H == s.W && p.H == p.W && d.H == d.W
            ? $"{h}; W' = {output[2]}"
            : $"{h}; W' = ⌊({input[2]} + 2·{p.W} − {d.W}·({k.W}−1) − 1)/{s.W}⌋ + 1 = {output[2]}") + counts;
    }

    private static string GroupedParameters(Shape input, Shape output, IReadOnlyDictionary<string, object> args, int groups)
    {
        var k = (Pair)args["kernel"];
        bool bias = (bool)args["bias"];
        long filters = output[0], perGroup = input[0] / groups;
        long total = Counts.Add(Counts.Multiply(filters, perGroup, k.H, k.W), bias ? filters : 0);
        return $"; params = F·(C/g)·kh·kw{(bias ? " + F" : "")} = {filters}·({input[0]}/{groups})·{k.H}·{k.W}{(bias ? $" + {filters}" : "")} = {total:N0}";
    }

    private static string Label(IReadOnlyDictionary<string, object> args) =>
        (int)args["groups"] is var g && g != 1
            ? $"conv({args["filters"]}, {args["kernel"]}, groups: {g})"
            : $"conv({args["filters"]}, {args["kernel"]})";
}
