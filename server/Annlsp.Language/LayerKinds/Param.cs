using Annlsp.Language.Semantics;

namespace Annlsp.Language.LayerKinds;

/// <summary>Shorthands for the kinds' signatures.</summary>
internal static class Param
{
    public static ParameterInfo P(string name, ParameterType type, object? def, string doc, string[]? values = null,
        double? min = null, bool minExclusive = false, double? max = null, bool maxExclusive = false) =>
        new(name, type, def, doc, values, min, minExclusive, max, maxExclusive);

    public static readonly ParameterInfo Bias = P("bias", ParameterType.Bool, true, "Learn an additive bias.");
}
