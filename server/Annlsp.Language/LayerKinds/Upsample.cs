using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`upsample(scale, mode)`: enlarges an image by an integer factor (nn.Upsample).</summary>
internal static class Upsample
{
    public static LayerInfo Definition { get; } = new("upsample", LayerCategory.Reshaping,
        [
            P("scale", ParameterType.IntOrPair, new Pair(2, 2), "Scale factor.", min: 1),
            P("mode", ParameterType.Enum, "nearest", "`nearest` or `bilinear`.", ["nearest", "bilinear"]),
        ],
        "Upsamples an image by an integer factor.", "C×H×W → C×sH×sW", "nn.Upsample")
    {
        Needs = InputKind.Image, Rule = Infer, FormulaRule = Formula,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        var s = c.Pair("scale");
        return c.Sized(Shape.Image(c.Input[0], c.Input[1] * s.H, c.Input[2] * s.W));
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        var s = (Pair)args["scale"];
        return $"H' = {input[1]}·{s.H} = {output[1]}, W' = {input[2]}·{s.W} = {output[2]}";
    }
}
