using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`dropout(p)`: random zeroing during training; shape unchanged.</summary>
internal static class Dropout
{
    public static LayerInfo Definition { get; } = new("dropout", LayerCategory.Regularization,
        [P("p", ParameterType.Number, 0.5, "Probability of zeroing an element, in [0, 1).", min: 0, max: 1, maxExclusive: true)],
        "Randomly zeroes elements during training.", "unchanged", "nn.Dropout");
}
