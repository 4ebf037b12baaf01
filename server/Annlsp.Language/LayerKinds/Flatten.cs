using Annlsp.Language.Semantics;

namespace Annlsp.Language.LayerKinds;

/// <summary>`flatten`: any shape to a vector (nn.Flatten).</summary>
internal static class Flatten
{
    public static LayerInfo Definition { get; } = new("flatten", LayerCategory.Reshaping, [],
        "Flattens any shape into a vector.", "any → N (product of dims)", "nn.Flatten")
    {
        Rule = static c => c.CheckSize(c.Input) ? new ShapeResult(Shape.Vector(c.Input.ElementCount)) : ShapeResult.Unknown,
        FormulaRule = static (input, _, _) => input.Rank > 1 ? $"{string.Join("·", input.Dims)} = {input.ElementCount}" : null,
    };
}
