using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`input(shape)`: the network's input; the checker reads it before the stack, so it has no rule of its own.</summary>
internal static class Input
{
    public static LayerInfo Definition { get; } = new("input", LayerCategory.Input,
        [P("shape", ParameterType.Shape, null, "The shape of one example without the batch dimension: C×H×W for images, N for vectors.")],
        "The network's input. Must be the first layer of a `network`.", "— → shape", "(none)");
}
