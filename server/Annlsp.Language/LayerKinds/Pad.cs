using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`pad(padding)`: zeros around an image (nn.ZeroPad2d).</summary>
internal static class Pad
{
    public static LayerInfo Definition { get; } = new("pad", LayerCategory.Reshaping,
        [P("padding", ParameterType.IntOrPair, null, "Zeros added on each side: an int, or HxW (p rows above and below, q columns left and right).", min: 0)],
        "Zero padding: adds rows and columns of zeros around each channel.", "C×H×W → C×(H+2p)×(W+2q)", "nn.ZeroPad2d")
    {
        Needs = InputKind.Image, Rule = Infer,
        FormulaRule = static (input, output, args) => (Pair)args["padding"] is var p
            ? $"H' = H + 2p = {input[1]} + 2·{p.H} = {output[1]}, W' = {input[2]} + 2·{p.W} = {output[2]}" : null,
        LabelRule = static args => $"pad({args["padding"]})",
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        var p = c.Pair("padding");
        return c.Sized(Shape.Image(c.Input[0], c.Input[1] + 2L * p.H, c.Input[2] + 2L * p.W));
    }
}
