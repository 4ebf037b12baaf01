using Annlsp.Language.Semantics;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`reshape(shape)`: a new shape with the same elements.</summary>
internal static class Reshape
{
    public static LayerInfo Definition { get; } = new("reshape", LayerCategory.Reshaping,
        [P("shape", ParameterType.Shape, null, "The new shape; its element count must equal the input's.")],
        "Reshapes without changing the elements.", "any → shape", "nn.Unflatten / view")
    {
        Rule = Infer,
        FormulaRule = static (input, output, _) => $"{input} ({input.ElementCount:N0} elements) → {output}",
        LabelRule = static args => $"reshape({string.Join("x", ((Shape)args["shape"]).Dims)})",
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        var target = (Shape)c.Arguments["shape"];
        if (target.Rank is not (>= 1 and <= 3))
        {
            c.Report(WrongShapeRank(c.ArgumentsSpan, "reshape", target));
            return ShapeResult.Unknown;
        }
        if (target.ElementCount != c.Input.ElementCount)
        {
            c.Report(ReshapeMismatch(c.ArgumentsSpan, target, c.Input));
            return ShapeResult.Unknown;
        }
        return new ShapeResult(target);
    }
}
