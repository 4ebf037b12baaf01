using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`globalpool(avg|max)`: one value per channel (nn.AdaptiveAvgPool2d(1) + flatten).</summary>
internal static class GlobalPool
{
    public static LayerInfo Definition { get; } = new("globalpool", LayerCategory.Pooling,
        [P("kind", ParameterType.Enum, "avg", "`avg` or `max`.", ["avg", "max"])],
        "Pools each channel to one value.", "C×H×W → C", "nn.AdaptiveAvgPool2d(1) + flatten")
    {
        Needs = InputKind.Image,
        Rule = static c => new ShapeResult(Shape.Vector(c.Input[0])),
        FormulaRule = static (input, _, _) => $"{input} → {input[0]} (one value per channel)",
    };
}
