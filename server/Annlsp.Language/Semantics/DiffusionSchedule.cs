namespace Annlsp.Language.Semantics;

/// <summary>
/// The noise schedule of a `diffusion` declaration: β_t for t = 1…T and ᾱ_t = ∏_{s≤t} (1 − β_s), in double precision.
/// The one place these numbers are computed: the hover reads them, the trainer, the sampler and the exported PyTorch
/// module use the same formulas (docs/training.md, "Diffusion models").
/// <list type="bullet">
/// <item>linear (Ho et al. 2020): β_t evenly spaced from <c>beta_start</c> to <c>beta_end</c>.</item>
/// <item>cosine (Nichol &amp; Dhariwal 2021): ᾱ_t = f(t)/f(0) with f(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008;
/// β_t = 1 − ᾱ_t/ᾱ_{t−1}, clipped to at most 0.999.</item>
/// </list>
/// Arrays are indexed from 0: index i is step t = i + 1.
/// </summary>
public sealed class DiffusionSchedule
{
    public const double CosineOffset = 0.008;
    public const double CosineMaxBeta = 0.999;

    private DiffusionSchedule(string kind, int steps, double betaStart, double betaEnd, double[] betas)
    {
        Kind = kind;
        Steps = steps;
        BetaStart = betaStart;
        BetaEnd = betaEnd;
        Betas = betas;
        var alphaBars = new double[steps];
        double product = 1;
        for (int i = 0; i < steps; i++)
        {
            product *= 1 - betas[i];
            alphaBars[i] = product;
        }
        AlphaBars = alphaBars;
    }

    /// <summary>"linear" or "cosine".</summary>
    public string Kind { get; }
    /// <summary>T.</summary>
    public int Steps { get; }
    public double BetaStart { get; }
    public double BetaEnd { get; }
    public IReadOnlyList<double> Betas { get; }
    public IReadOnlyList<double> AlphaBars { get; }

    /// <summary>ᾱ_T: how much of the data's variance is left at the last step.</summary>
    public double AlphaBarAtEnd => AlphaBars[^1];
    /// <summary>√ᾱ_T: the factor the image is multiplied by at the last step (sampling starts from pure noise, so this should be near 0).</summary>
    public double SignalAtEnd => Math.Sqrt(AlphaBarAtEnd);

    public static DiffusionSchedule Linear(int steps, double betaStart, double betaEnd)
    {
        var betas = new double[steps];
        for (int i = 0; i < steps; i++)
            betas[i] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * i / (steps - 1);
        return new DiffusionSchedule("linear", steps, betaStart, betaEnd, betas);
    }

    public static DiffusionSchedule Cosine(int steps)
    {
        double F(int t) { double c = Math.Cos((t / (double)steps + CosineOffset) / (1 + CosineOffset) * Math.PI / 2); return c * c; }
        var betas = new double[steps];
        double f0 = F(0);
        for (int i = 0; i < steps; i++)
        {
            double previous = F(i) / f0, current = F(i + 1) / f0;
            betas[i] = Math.Min(1 - current / previous, CosineMaxBeta);
        }
        return new DiffusionSchedule("cosine", steps, betas[0], betas[^1], betas);
    }

    public static DiffusionSchedule Create(string kind, int steps, double betaStart, double betaEnd) =>
        kind == "cosine" ? Cosine(steps) : Linear(steps, betaStart, betaEnd);

    /// <summary>
    /// The steps a sampler visits, as 0-based indices in increasing order: all T for DDPM; for DDIM(n), ⌊(i+1)·T/n⌋ − 1
    /// for i = 0…n−1 (the last is always step T, where sampling starts from pure noise).
    /// </summary>
    public int[] SamplerSteps(DiffusionSampler sampler)
    {
        int n = sampler.IsDdim ? Math.Clamp(sampler.Steps, 1, Steps) : Steps;
        var steps = new int[n];
        for (int i = 0; i < n; i++) steps[i] = (int)((long)(i + 1) * Steps / n) - 1;
        return steps;
    }
}

/// <summary>`ddpm` (every step, with noise) or `ddim(n)` (n steps, deterministic).</summary>
public readonly record struct DiffusionSampler(string Kind, int Steps)
{
    public bool IsDdim => Kind == "ddim";
    public static DiffusionSampler Ddpm => new("ddpm", 0);
    public static DiffusionSampler Ddim(int steps) => new("ddim", steps);

    /// <summary>"ddpm" or "ddim(50)": how the language and the command line write it.</summary>
    public override string ToString() => IsDdim ? $"ddim({Steps})" : "ddpm";

    /// <summary>Reads "ddpm" or "ddim(N)" (the `--sampler` option); null when it is neither.</summary>
    public static DiffusionSampler? Parse(string text)
    {
        text = text.Trim();
        if (text == "ddpm") return Ddpm;
        if (text.StartsWith("ddim(", StringComparison.Ordinal) && text.EndsWith(')')
            && int.TryParse(text.AsSpan(5, text.Length - 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1)
            return Ddim(n);
        return null;
    }
}
