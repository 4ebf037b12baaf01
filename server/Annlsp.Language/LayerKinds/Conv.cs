using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticCatalog;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`conv(filters, kernel, …)`: 2-d convolution (nn.Conv2d).</summary>
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
        ],
        "2-d convolution over a C×H×W image.",
        "C×H×W → F×H'×W', H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1", "nn.Conv2d")
    {
        Needs = InputKind.Image, Rule = Infer, FormulaRule = Formula, LabelRule = Label,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        int filters = c.Int("filters");
        var k = c.Pair("kernel");
        var s = c.Pair("stride");
        var d = c.Pair("dilation");
        bool bias = c.Bool("bias");
        long channels = c.Input[0], h = c.Input[1], w = c.Input[2];
        long outH, outW;
        if (c.Arguments["padding"] is "same")
        {
            if (s.H != 1 || s.W != 1)
            {
                c.Report(SamePaddingWithStride, c.ArgumentSpan("padding") ?? c.NameSpan,
                    $"padding: same needs stride 1 (PyTorch refuses it with stride {s}); give padding as a number instead",
                    null, SamePaddingFix(c, k, d) is { } fix ? [fix] : []);
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
        long weights = Counts.Multiply(filters, channels, k.H, k.W);
        return c.Sized(Shape.Image(filters, outH, outW),
            Counts.Add(weights, bias ? filters : 0), Counts.Multiply([filters, outH, outW, channels, k.H, k.W]));
    }

    private static CodeFix? SamePaddingFix(ShapeRuleContext c, Pair k, Pair d)
    {
        var span = c.ArgumentSpan("padding");
        if (span is null || k.H != k.W || d.H != d.W || (d.H * (k.H - 1)) % 2 != 0) return null;
        int p = d.H * (k.H - 1) / 2;
        return new CodeFix($"Change to padding: {p}", [new TextEdit(span.Value, p.ToString())]);
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        if (args["padding"] is "same") return $"padding: same keeps H×W = {input[1]}×{input[2]}";
        var (k, s, p, d) = ((Pair)args["kernel"], (Pair)args["stride"], (Pair)args["padding"], (Pair)args["dilation"]);
        string h = $"H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊({input[1]} + 2·{p.H} − {d.H}·({k.H}−1) − 1)/{s.H}⌋ + 1 = {output[1]}";
        return input[1] == input[2] && k.H == k.W && s.H == s.W && p.H == p.W && d.H == d.W
            ? $"{h}; W' = {output[2]}"
            : $"{h}; W' = ⌊({input[2]} + 2·{p.W} − {d.W}·({k.W}−1) − 1)/{s.W}⌋ + 1 = {output[2]}";
    }

    private static string Label(IReadOnlyDictionary<string, object> args) => $"conv({args["filters"]}, {args["kernel"]})";
}
