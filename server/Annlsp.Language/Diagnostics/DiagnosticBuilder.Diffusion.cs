using System.Globalization;
using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>The diagnostics of `diffusion` declarations and their training (ANN3035, ANN4012–4016, ANN5014–5016).</summary>
public static partial class DiagnosticBuilder
{
    private static string Number(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);

    // ANN2016 Missing property
    public static Diagnostic DiffusionNeedsDenoiser(TextSpan at, string diffusion) =>
        Make(DiagnosticCatalog.MissingProperty, at, $"diffusion '{diffusion}' needs a denoiser: denoiser: NetworkName");

    // ANN3011 Data set shape does not fit the network input
    public static Diagnostic DiffusionDataShapeMismatch(TextSpan at, string data, Shape shape, string diffusion, string denoiser, Shape input, TextSpan inputSpan) =>
        Make(DiagnosticCatalog.DataShapeMismatch, at,
            $"{data} gives {shape}, but the denoiser '{denoiser}' of '{diffusion}' takes {input}: a denoiser works on images of the data set's shape",
            Related(inputSpan, $"'{denoiser}' takes {input} here"));

    // ANN3035 Denoiser output does not equal its input
    public static Diagnostic DenoiserShapeMismatch(TextSpan at, string denoiser, Shape input, TextSpan inputSpan, Shape output, TextSpan outputSpan) =>
        Make(DiagnosticCatalog.DenoiserShapeMismatch, at,
            $"The denoiser '{denoiser}' maps {input} to {output}; it predicts the noise in its input, so its output must be {input} too",
            [new RelatedLocation(inputSpan, $"'{denoiser}' takes {input} here"), new RelatedLocation(outputSpan, $"'{denoiser}' outputs {output} here")]);

    // ANN4012 Diffusion steps out of range
    public static Diagnostic DiffusionStepsOutOfRange(TextSpan at, long got, int min, int max) =>
        Make(DiagnosticCatalog.DiffusionStepsOutOfRange, at, $"steps must be between {min} and {max:N0} (1000 is usual), but is {got:N0}");

    // ANN4013 Invalid β range
    public static Diagnostic BadBetaRange(TextSpan at, double betaStart, double betaEnd) =>
        Make(DiagnosticCatalog.BadBetaRange, at,
            $"β must satisfy 0 < beta_start ≤ beta_end < 1, but beta_start is {Number(betaStart)} and beta_end is {Number(betaEnd)} (Ho et al.: 1e-4 and 0.02)");

    public static Diagnostic BetaNotANumber(TextSpan at, string property, string got) =>
        Make(DiagnosticCatalog.BadBetaRange, at, $"{property} must be a number between 0 and 1 (such as 1e-4), but is {got}");

    // ANN4014 Sampler steps out of range
    public static Diagnostic SamplerStepsOutOfRange(TextSpan at, long got, int steps, TextSpan stepsSpan) =>
        Make(DiagnosticCatalog.SamplerStepsOutOfRange, at,
            $"ddim takes between 1 and {steps:N0} steps (the diffusion's steps), but is given {got:N0}",
            Related(stepsSpan, $"the diffusion has {steps:N0} steps"));

    // ANN4015 EMA decay out of range
    public static Diagnostic EmaOutOfRange(TextSpan at, string got) =>
        Make(DiagnosticCatalog.EmaOutOfRange, at, $"ema must be ≥ 0 and < 1 (0.999 is usual; 0 samples with the trained weights), but is {got}");

    // ANN4016 Unknown noise schedule or sampler
    /// <param name="property">"schedule" or "sampler"</param>
    public static Diagnostic UnknownDiffusionValue(TextSpan at, string property, string got, string? near, IEnumerable<string> known) =>
        Make(DiagnosticCatalog.UnknownDiffusionValue, at,
            $"Unknown {property} {got}{DidYouMean(near)} (a diffusion's {property} is {string.Join(" or ", known)})",
            null, ChangeTo(at, near));

    // ANN5014 Denoiser never uses time
    public static Diagnostic DenoiserWithoutTime(TextSpan at, string denoiser, string diffusion, TextSpan networkName) =>
        Make(DiagnosticCatalog.DenoiserWithoutTime, at,
            $"The denoiser '{denoiser}' never uses time: it cannot know how much noise to remove; add the step to its blocks, such as add(time -> dense(c))",
            Related(networkName, $"'{denoiser}' is declared here; '{diffusion}' gives it time, the embedding of the step"));

    // ANN5015 Signal left at the last diffusion step
    public static Diagnostic NoiseLeftAtLastStep(TextSpan at, int steps, double signal) =>
        Make(DiagnosticCatalog.NoiseLeftAtLastStep, at,
            $"After {steps:N0} steps √ᾱ_T = {signal:0.###}: the images are not yet pure noise, but sampling starts from pure noise; use more steps, a larger beta_end or the cosine schedule");

    // ANN5016 Denoiser ends in a bounded activation
    public static Diagnostic DenoiserEndsInActivation(TextSpan at, string denoiser, string activation, TextSpan use, string prediction) =>
        Make(DiagnosticCatalog.DenoiserEndsInActivation, at,
            prediction == DiffusionModel.PredictNoise
                ? $"The denoiser '{denoiser}' ends in {activation}, but the noise it predicts is Gaussian and unbounded; end in a layer without an activation"
                : prediction == DiffusionModel.PredictVelocity
                    ? $"The denoiser '{denoiser}' ends in {activation}, but the velocity it predicts (√ᾱ·ε − √(1 − ᾱ)·x₀) is unbounded; end in a layer without an activation"
                    : $"The denoiser '{denoiser}' ends in {activation}, but the image it predicts lies in [−1, 1]; end in tanh or in a layer without an activation",
            Related(use, $"used as the denoiser here"));
}
