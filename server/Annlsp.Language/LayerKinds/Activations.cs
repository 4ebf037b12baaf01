using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>The activations: element-wise, shape unchanged, no parameters (the default rule).</summary>
internal static class Activations
{
    public static LayerInfo Relu { get; } = new("relu", LayerCategory.Activation, [], "Rectified linear unit: max(0, x).", "unchanged", "nn.ReLU");

    public static LayerInfo Sigmoid { get; } = new("sigmoid", LayerCategory.Activation, [], "Logistic sigmoid: 1/(1+e^−x).", "unchanged", "nn.Sigmoid");

    public static LayerInfo Tanh { get; } = new("tanh", LayerCategory.Activation, [],
        "Hyperbolic tangent; outputs in [−1, 1] (the usual generator output).", "unchanged", "nn.Tanh");

    public static LayerInfo Gelu { get; } = new("gelu", LayerCategory.Activation, [], "Gaussian error linear unit.", "unchanged", "nn.GELU");

    public static LayerInfo Elu { get; } = new("elu", LayerCategory.Activation,
        [P("alpha", ParameterType.Number, 1.0, "Scale of the negative part: alpha·(e^x − 1) for x < 0.", min: 0)],
        "Exponential linear unit: x for x > 0, alpha·(e^x − 1) otherwise; smooth and with mean activations nearer 0 than ReLU.", "unchanged", "nn.ELU");

    public static LayerInfo LeakyRelu { get; } = new("leakyrelu", LayerCategory.Activation,
        [P("slope", ParameterType.Number, 0.01, "Slope for x < 0.")],
        "Leaky ReLU: x for x ≥ 0, slope·x otherwise.", "unchanged", "nn.LeakyReLU");

    public static LayerInfo Silu { get; } = new("silu", LayerCategory.Activation, [],
        "Sigmoid linear unit (swish): x·σ(x); smooth, and slightly negative for negative inputs.", "unchanged", "nn.SiLU");

    public static LayerInfo Relu6 { get; } = new("relu6", LayerCategory.Activation, [],
        "ReLU capped at 6: min(max(0, x), 6); bounded, as MobileNet uses it.", "unchanged", "nn.ReLU6");

    public static LayerInfo Softmax { get; } = new("softmax", LayerCategory.Activation, [],
        "Softmax over the last axis of a vector (over channels of an image). A classifier ending in softmax is trained on the logits before it with cross-entropy, so softmax is never applied twice.",
        "unchanged", "nn.Softmax");
}
