using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`dense(units)`: fully connected (nn.Linear).</summary>
internal static class Dense
{
    public static LayerInfo Definition { get; } = new("dense", LayerCategory.Dense,
        [P("units", ParameterType.Int, null, "Number of outputs.", min: 1), Bias],
        "Fully connected layer.", "N → units", "nn.Linear")
    {
        Needs = InputKind.Vector, Rule = Infer, FormulaRule = Formula,
        LabelRule = static args => $"dense({args["units"]})",
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        int units = c.Int("units");
        bool bias = c.Bool("bias");
        long n = c.Input[0];
        return new ShapeResult(Shape.Vector(units), Counts.Add(Counts.Multiply(n, units), bias ? units : 0), Counts.Multiply(n, units));
    }

    private static string Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        long n = input[0], units = output[0];
        bool bias = (bool)args["bias"];
        return $"params = {n}·{units}{(bias ? $" + {units}" : "")} = {Counts.Add(Counts.Multiply(n, units), bias ? units : 0):N0}";
    }
}
