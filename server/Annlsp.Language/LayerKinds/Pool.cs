using Annlsp.Language.Semantics;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`pool(max|avg, size, …)`: 2-d max or average pooling (nn.MaxPool2d, nn.AvgPool2d).</summary>
internal static class Pool
{
    public static LayerInfo Definition { get; } = new("pool", LayerCategory.Pooling,
        [
            P("kind", ParameterType.Enum, null, "`max` or `avg`.", ["max", "avg"]),
            P("size", ParameterType.IntOrPair, null, "Window size.", min: 1),
            P("stride", ParameterType.IntOrPair, null, "Step between windows (defaults to size).", min: 1) with { DefaultFrom = "size" },
            P("padding", ParameterType.IntOrPair, new Pair(0, 0), "Padding on each side (at most half the window).", min: 0),
        ],
        "2-d max or average pooling.", "C×H×W → C×H'×W', H' = ⌊(H + 2p − k)/s⌋ + 1", "nn.MaxPool2d / nn.AvgPool2d")
    {
        Needs = InputKind.Image, Rule = Infer, FormulaRule = Formula, LabelRule = Label,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        var k = c.Pair("size");
        var s = c.Pair("stride");
        var p = c.Pair("padding");
        if (p.H * 2 > k.H || p.W * 2 > k.W)
        {
            c.Report(BadPoolPadding(c.ArgumentSpan("padding") ?? c.NameSpan, p, k));
            return ShapeResult.Unknown;
        }
        long channels = c.Input[0], h = c.Input[1], w = c.Input[2];
        var hr = WindowRules.Axis(c, "height", h, k.H, s.H, p.H, 1, "window", true);
        if (hr is null) return ShapeResult.Unknown;
        var wr = WindowRules.Axis(c, "width", w, k.W, s.W, p.W, 1, "window", true);
        if (wr is null) return ShapeResult.Unknown;
        WindowRules.WarnOnDroppedRows(c, "window", h, w, k, s, p, new Pair(1, 1));
        return new ShapeResult(Shape.Image(channels, hr.Value, wr.Value));
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        var (k, s, p) = ((Pair)args["size"], (Pair)args["stride"], (Pair)args["padding"]);
        string h = $"H' = ⌊(H + 2p − k)/s⌋ + 1 = ⌊({input[1]} + 2·{p.H} − {k.H})/{s.H}⌋ + 1 = {output[1]}";
        return input[1] == input[2] && k.H == k.W && s.H == s.W
            ? $"{h}; W' = {output[2]}"
            : $"{h}; W' = ⌊({input[2]} + 2·{p.W} − {k.W})/{s.W}⌋ + 1 = {output[2]}";
    }

    private static string Label(IReadOnlyDictionary<string, object> args) => $"pool({args["kind"]}, {args["size"]})";
}
