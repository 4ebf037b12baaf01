using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`batchnorm(momentum, eps)`: per channel of an image, per feature of a vector (nn.BatchNorm2d, nn.BatchNorm1d).</summary>
internal static class BatchNorm
{
    public static LayerInfo Definition { get; } = new("batchnorm", LayerCategory.Normalization,
        [
            P("momentum", ParameterType.Number, 0.1, "Running statistics momentum.", min: 0, max: 1),
            P("eps", ParameterType.Number, 1e-5, "Added to the variance for stability.", min: 0, minExclusive: true),
        ],
        "Batch normalisation: 1-d for vectors, 2-d (per channel) for images.", "unchanged", "nn.BatchNorm1d / nn.BatchNorm2d")
    {
        // A scale and a shift per channel or feature; the running statistics are buffers.
        Rule = static c => new ShapeResult(c.Input, Counts.Multiply(2, c.Input[0]), 0),
        FormulaRule = static (input, _, _) => $"params = 2·{input[0]} (scale and shift per {(input.IsImage ? "channel" : "feature")})",
    };
}
