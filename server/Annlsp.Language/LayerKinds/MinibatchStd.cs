using Annlsp.Language.Semantics;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>
/// `minibatchstd(group)`: the minibatch standard deviation of Karras et al. 2018 (ProGAN), one more channel holding how
/// much the examples of a group differ. A discriminator that sees it can tell a generator's collapsed batch (every
/// sample alike) from a real one, which pushes the generator to spread over all modes.
/// </summary>
internal static class MinibatchStd
{
    public static LayerInfo Definition { get; } = new("minibatchstd", LayerCategory.Reshaping,
        [P("group", ParameterType.Int, 4, "Examples per group: each group's standard deviation, over its examples and averaged over every feature, fills the added channel of its examples. A batch that the group does not divide uses the largest group size ≤ group that does.", min: 1)],
        "Minibatch standard deviation (Karras et al. 2018): appends one channel holding how much the examples of each group of the batch differ, averaged over all features. Put it near the end of a GAN's discriminator, before its last convolution or dense layer: a generator whose samples all look alike is then easy to tell from real data. No parameters; it reads the batch, so one example alone gets 0.",
        "C×H×W → (C+1)×H×W", "custom: MinibatchStd (the exported module defines it)")
    {
        Needs = InputKind.Image,
        Rule = static c => c.Sized(Shape.Image(c.Input[0] + 1, c.Input[1], c.Input[2])),
        FormulaRule = static (input, output, _) => $"C' = C + 1 = {input[0]} + 1 = {output[0]} (the group's standard deviation)",
        LabelRule = static args => $"minibatchstd({args["group"]})",
    };
}
