using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Conditional (image-to-image) gans and paired data sets: ANN3030–3034, ANN4008–4009, ANN5012.</summary>
public static partial class DiagnosticBuilder
{
    // ANN3030 Conditional discriminator must see the input beside the image
    public static Diagnostic ConditionalDiscriminatorInput(TextSpan at, string generator, Shape generatorInput, Shape generatorOutput, TextSpan generatorSpan,
        string discriminator, Shape discriminatorInput, TextSpan discriminatorInputSpan)
    {
        long cIn = generatorInput[0], cOut = generatorOutput[0];
        var expected = Shape.Image(cIn + cOut, generatorOutput[1], generatorOutput[2]);
        return Make(DiagnosticCatalog.ConditionalDiscriminatorInput, at,
            $"The discriminator '{discriminator}' takes {discriminatorInput}, but it must see the generator '{generator}''s input beside its output: " +
            $"{cIn} + {cOut} = {cIn + cOut} channels of {generatorOutput[1]}×{generatorOutput[2]}, input({expected.ToString().Replace('×', 'x')})",
            [
                new RelatedLocation(generatorSpan, $"'{generator}' maps {generatorInput} → {generatorOutput}"),
                new RelatedLocation(discriminatorInputSpan, $"'{discriminator}' takes {discriminatorInput} here"),
            ]);
    }

    // ANN3031 Conditional discriminator must output one logit or a patch map
    public static Diagnostic PatchDiscriminatorOutput(TextSpan at, string discriminator, Shape output, TextSpan outputSpan) =>
        Make(DiagnosticCatalog.PatchDiscriminatorOutput, at,
            $"The discriminator '{discriminator}' outputs {output}, but it must output one logit (1) or a map of patch logits 1×N×N; end it with conv(1, …)",
            Related(outputSpan, $"'{discriminator}' outputs {output} here"));

    // ANN3032 Conditional gan needs a paired data set
    public static Diagnostic ConditionalGanNeedsPairs(TextSpan at, string data, string gan, string generator, Shape input) =>
        Make(DiagnosticCatalog.ConditionalGanNeedsPairs, at,
            $"{data} gives images alone, but the gan '{gan}' translates images: its generator '{generator}' takes {input}; " +
            $"train it on pairs such as edges({data}, size: {input[1]}x{input[2]}) or pairs(\"dir\", size: HxW)");

    // ANN3033 Paired data set does not fit the generator
    public static Diagnostic PairsDoNotFitGenerator(TextSpan at, string data, Shape input, Shape target, string generator, Shape generatorInput, Shape generatorOutput, TextSpan generatorSpan) =>
        Make(DiagnosticCatalog.PairsDoNotFitGenerator, at,
            $"{data} gives pairs {input} → {target}, but the generator '{generator}' maps {generatorInput} → {generatorOutput}",
            Related(generatorSpan, $"'{generator}' takes {generatorInput} here"));

    // ANN3034 Paired data set needs a conditional gan
    /// <param name="what">"the network 'LeNet5'" or "the gan 'G', whose generator takes 100"</param>
    public static Diagnostic PairsWithoutConditionalGan(TextSpan at, string data, string what) =>
        Make(DiagnosticCatalog.PairsWithoutConditionalGan, at,
            $"{data} gives pairs of images (input and target), which only a gan whose generator takes an image can train on, not {what}");

    // ANN4008 edges needs a data set of images
    public static Diagnostic EdgesOfPairs(TextSpan at, string source) =>
        Make(DiagnosticCatalog.EdgesOfPairs, at, $"edges derives its input from the images of a data set, but {source} already gives pairs; name an image data set such as fashion_mnist or shapes");

    // ANN4009 Invalid l1 weight
    public static Diagnostic BadL1Weight(TextSpan at, string got) =>
        Make(DiagnosticCatalog.BadL1Weight, at, $"l1 is the weight of the L1 term, a number ≥ 0 (pix2pix uses 100), but is {got}");

    // ANN5012 l1 on a gan whose generator does not take an image
    public static Diagnostic L1OnUnconditionalGan(TextSpan at, string gan, string generator, Shape input) =>
        Make(DiagnosticCatalog.L1OnUnconditionalGan, at,
            $"l1 has no effect on the gan '{gan}': its generator '{generator}' takes {input}, so there is no target image to compare with; it applies to gans whose generator takes an image");
}
