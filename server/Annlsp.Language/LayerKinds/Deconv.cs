using Annlsp.Language.Semantics;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`deconv(filters, kernel, …)`: transposed 2-d convolution (nn.ConvTranspose2d).</summary>
internal static class Deconv
{
    public static LayerInfo Definition { get; } = new("deconv", LayerCategory.Convolution,
        [
            P("filters", ParameterType.Int, null, "Number of output channels.", min: 1),
            P("kernel", ParameterType.IntOrPair, null, "Kernel size: an int or HxW.", min: 1),
            P("stride", ParameterType.IntOrPair, new Pair(1, 1), "Upsampling step.", min: 1),
            P("padding", ParameterType.IntOrPair, new Pair(0, 0), "Implicit zero padding removed from each side of the output.", min: 0),
            P("output_padding", ParameterType.IntOrPair, new Pair(0, 0), "Extra size added to one side of the output (must be smaller than stride or dilation).", min: 0),
            P("dilation", ParameterType.IntOrPair, new Pair(1, 1), "Spacing between kernel elements.", min: 1),
            Bias,
        ],
        "Transposed 2-d convolution (\"deconvolution\"): learns to upsample.",
        "C×H×W → F×H'×W', H' = (H−1)s − 2p + d(k−1) + output_padding + 1", "nn.ConvTranspose2d")
    {
        Needs = InputKind.Image, Rule = Infer, FormulaRule = Formula, LabelRule = Label,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        int filters = c.Int("filters");
        var k = c.Pair("kernel");
        var s = c.Pair("stride");
        var p = c.Pair("padding");
        var op = c.Pair("output_padding");
        var d = c.Pair("dilation");
        bool bias = c.Bool("bias");
        if (op.H >= Math.Max(s.H, d.H) || op.W >= Math.Max(s.W, d.W))
        {
            c.Report(OutputPaddingTooLarge(c.ArgumentSpan("output_padding") ?? c.NameSpan, op, s, d));
            return ShapeResult.Unknown;
        }
        long channels = c.Input[0], h = c.Input[1], w = c.Input[2];
        long outH = (h - 1) * s.H - 2L * p.H + (long)d.H * (k.H - 1) + op.H + 1;
        long outW = (w - 1) * s.W - 2L * p.W + (long)d.W * (k.W - 1) + op.W + 1;
        if (outH <= 0 || outW <= 0)
        {
            bool height = outH <= 0;
            c.Report(DeconvSizeNotPositive(c.NameSpan, height ? "height" : "width", height ? outH : outW, height ? h : w, height ? p.H : p.W));
            return ShapeResult.Unknown;
        }
        return c.Sized(Shape.Image(filters, outH, outW),
            Counts.Add(Counts.Multiply(channels, filters, k.H, k.W), bias ? filters : 0), Counts.Multiply([channels, h, w, filters, k.H, k.W]));
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        var (k, s, p, op, d) = ((Pair)args["kernel"], (Pair)args["stride"], (Pair)args["padding"], (Pair)args["output_padding"], (Pair)args["dilation"]);
        return $"H' = (H−1)s − 2p + d(k−1) + output_padding + 1 = ({input[1]}−1)·{s.H} − 2·{p.H} + {d.H}·({k.H}−1) + {op.H} + 1 = {output[1]}; W' = {output[2]}";
    }

    private static string Label(IReadOnlyDictionary<string, object> args) => $"deconv({args["filters"]}, {args["kernel"]})";
}
