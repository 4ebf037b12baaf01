using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>
/// The arithmetic of a `diffusion` on a device (docs/training.md, "Diffusion models"): the step's sinusoidal
/// embedding, noising a batch at given steps, and the DDPM and DDIM samplers. The schedule's numbers come from
/// <see cref="DiffusionSchedule"/> (double precision); per-step factors are host scalars, so sampling never syncs.
/// Steps are 0-based indices i = t − 1 everywhere (the embedding sees i, as in Ho et al.'s code).
/// The exported PyTorch `sample()` (Export/DiffusionExport.cs) implements exactly these formulas.
/// </summary>
public sealed class DiffusionProcess : IDisposable
{
    /// <summary>The predicted clean image is clipped to the data's range [−1, 1] at every sampling step.</summary>
    public const double ClipX0 = 1.0;
    /// <summary>DDPM's per-step noise comes from a CPU generator seeded with the run's (or `--seed`'s) seed plus this.</summary>
    public const int StepNoiseSeedOffset = 23;
    /// <summary>A trajectory shows this many samples in this many frames, noise to image.</summary>
    public const int TrajectorySamples = 4, TrajectoryFrames = 10;

    /// <summary>The denoiser's output for <paramref name="x"/> at the step embedded as <paramref name="time"/> (a denoiser without `time` sees only x): the noise, velocity or image its diffusion's `predict:` names.</summary>
    public static Tensor Denoise(AnnNetwork net, Tensor x, Tensor time) => net.UsesTime ? net.forward(x, time) : net.forward(x);

    /// <summary>Writes trajectory frames (each [samples, C, H, W], in [−1, 1]) as a grid: one row per sample, noise (left) to image (right).</summary>
    public static void WriteTrajectory(string path, IReadOnlyList<Tensor> frames)
    {
        using var scope = NewDisposeScope();
        var grid = stack(frames.ToArray(), 1); // [samples, frames, C, H, W]
        long rows = grid.shape[0], cols = grid.shape[1];
        Output.ImageGrid.WritePng(path, grid.reshape([rows * cols, .. grid.shape[2..]]), (int)rows, (int)cols, -1, 1);
    }

    private readonly DiffusionSchedule schedule;
    private readonly string prediction;
    private readonly Device device;
    private readonly Tensor sqrtAlphaBar, sqrtOneMinusAlphaBar, frequencies;
    private readonly int timeEmbedding;

    public DiffusionProcess(DiffusionModel model, Device device)
    {
        schedule = model.Schedule;
        prediction = model.Prediction;
        this.device = device;
        timeEmbedding = model.TimeEmbedding;
        var ab = schedule.AlphaBars;
        sqrtAlphaBar = tensor(ab.Select(a => (float)Math.Sqrt(a)).ToArray()).to(device);
        sqrtOneMinusAlphaBar = tensor(ab.Select(a => (float)Math.Sqrt(1 - a)).ToArray()).to(device);
        frequencies = tensor(Frequencies(timeEmbedding)).to(device);
    }

    public DiffusionSchedule Schedule => schedule;
    public int TimeEmbedding => timeEmbedding;

    /// <summary>exp(−ln(10000)·k/(h − 1)) for k = 0…h−1, h = ⌊d/2⌋ (Ho et al., following the Transformer).</summary>
    public static float[] Frequencies(int d)
    {
        int half = Math.Max(1, d / 2);
        double scale = Math.Log(10000) / Math.Max(1, half - 1);
        return Enumerable.Range(0, half).Select(k => (float)Math.Exp(-scale * k)).ToArray();
    }

    /// <summary>The embedding [B, d] of steps [B] (int64): sin(i·f) then cos(i·f), a zero column when d is odd.</summary>
    public Tensor Embed(Tensor steps)
    {
        var angles = steps.to_type(ScalarType.Float32).unsqueeze(1) * frequencies.unsqueeze(0);
        var emb = cat([angles.sin(), angles.cos()], 1);
        if (emb.shape[1] < timeEmbedding) emb = nn.functional.pad(emb, [0, timeEmbedding - emb.shape[1]]);
        return emb.narrow(1, 0, timeEmbedding);
    }

    /// <summary>The embedding of one step for a batch of <paramref name="batch"/>.</summary>
    public Tensor Embed(int step, long batch) => Embed(full([batch], step, dtype: ScalarType.Int64, device: device));

    /// <summary>x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, per example.</summary>
    public Tensor Noised(Tensor x0, Tensor steps, Tensor noise) =>
        PerExample(sqrtAlphaBar, steps, x0) * x0 + PerExample(sqrtOneMinusAlphaBar, steps, x0) * noise;

    /// <summary>What the denoiser is trained to output for x₀ noised with ε at <paramref name="steps"/>: ε, v = √ᾱ·ε − √(1 − ᾱ)·x₀, or x₀.</summary>
    public Tensor TrainingTarget(Tensor x0, Tensor steps, Tensor noise) => prediction switch
    {
        DiffusionModel.PredictVelocity => PerExample(sqrtAlphaBar, steps, x0) * noise - PerExample(sqrtOneMinusAlphaBar, steps, x0) * x0,
        DiffusionModel.PredictImage => x0,
        _ => noise,
    };

    /// <summary>A schedule table's entries at <paramref name="steps"/>, shaped [B, 1, 1, …] to broadcast over a batch like <paramref name="like"/>.</summary>
    private static Tensor PerExample(Tensor table, Tensor steps, Tensor like) =>
        table.index_select(0, steps).view(new long[] { -1, 1, 1, 1 }.Take((int)like.dim()).ToArray());

    /// <summary>
    /// The clean image x̂₀ the denoiser's <paramref name="output"/> for x_t at ᾱ = <paramref name="alphaBar"/> implies, before the
    /// clip: (x − √(1 − ᾱ)·ε̂)/√ᾱ from noise (the division magnifies its error where √ᾱ is near 0), √ᾱ·x − √(1 − ᾱ)·v̂
    /// from a velocity, the output itself from an image.
    /// </summary>
    public Tensor PredictedImage(Tensor x, Tensor output, double alphaBar) => prediction switch
    {
        DiffusionModel.PredictVelocity => Math.Sqrt(alphaBar) * x - Math.Sqrt(1 - alphaBar) * output,
        DiffusionModel.PredictImage => output.alias(),
        _ => (x - Math.Sqrt(1 - alphaBar) * output) / Math.Sqrt(alphaBar),
    };

    /// <summary>
    /// Draws images from <paramref name="start"/> (x_T, standard normal) with <paramref name="sampler"/>; the
    /// denoiser is <paramref name="denoise"/>(x_t, embedding of t), whose output is what the diffusion's `predict:` names. DDPM adds fresh noise at every step but the
    /// last, drawn on the CPU from <paramref name="noise"/> (so a seed gives the same images on every device).
    /// With <paramref name="trajectory"/>, the first <paramref name="trajectorySamples"/> images are recorded in
    /// <paramref name="frames"/> frames from x_T to the result (inclusive), evenly spaced over the sampler's steps.
    /// </summary>
    public Tensor Sample(Func<Tensor, Tensor, Tensor> denoise, Tensor start, DiffusionSampler sampler, Generator? noise = null,
        List<Tensor>? trajectory = null, int trajectorySamples = 4, int frames = 10)
    {
        var steps = schedule.SamplerSteps(sampler);
        long batch = start.shape[0];
        int n = steps.Length;
        // frame j (0 … frames−1) is x after round(j·n/(frames − 1)) steps: exactly `frames` frames, repeated when n is smaller
        var framesAfter = new int[n + 1];
        for (int j = 0; j < frames; j++) framesAfter[frames == 1 ? n : (int)Math.Round(j * (double)n / (frames - 1))]++;
        var x = start;
        void Record(Tensor t, int done)
        {
            for (int c = 0; c < framesAfter[done]; c++) trajectory!.Add(t.narrow(0, 0, Math.Min(trajectorySamples, batch)).detach().clone());
        }
        if (trajectory is not null) Record(x, 0);
        for (int k = n - 1; k >= 0; k--)
        {
            x = Step(denoise, x, start, sampler, steps, k, noise);
            if (trajectory is not null) Record(x, n - k);
        }
        return x;
    }

    /// <summary>
    /// What a run's images are drawn with — the previews, the scores, `annlsp evaluate`: <paramref name="denoiser"/>
    /// from <paramref name="start"/> in chunks of 256, DDPM's step noise for the chunk at i from a generator seeded
    /// <paramref name="seed"/> + <see cref="StepNoiseSeedOffset"/> + i, so a run and its evaluation draw the same images.
    /// </summary>
    public Tensor SampleInChunks(AnnNetwork denoiser, Tensor start, DiffusionSampler sampler, int seed, List<Tensor>? trajectory = null)
    {
        var chunks = new List<Tensor>();
        for (long i = 0; i < start.shape[0]; i += 256)
        {
            var part = start.narrow(0, i, Math.Min(256, start.shape[0] - i));
            using var stepNoise = new Generator((ulong)seed + StepNoiseSeedOffset + (ulong)i);
            chunks.Add(Sample((x, t) => Denoise(denoiser, x, t), part, sampler, stepNoise,
                i == 0 ? trajectory : null, TrajectorySamples, TrajectoryFrames));
        }
        return chunks.Count == 1 ? chunks[0] : cat(chunks, 0);
    }

    /// <summary>One sampler step from steps[k]; disposes the previous x (never <paramref name="start"/>, the caller's).</summary>
    private Tensor Step(Func<Tensor, Tensor, Tensor> denoise, Tensor x, Tensor start, DiffusionSampler sampler, int[] steps, int k, Generator? noise)
    {
        var ab = schedule.AlphaBars;
        var betas = schedule.Betas;
        long batch = x.shape[0];
        using (var scope = NewDisposeScope())
        {
            int i = steps[k];
            double abT = ab[i];
            double abPrev = sampler.IsDdim ? (k > 0 ? ab[steps[k - 1]] : 1.0) : (i > 0 ? ab[i - 1] : 1.0);
            var x0 = PredictedImage(x, denoise(x, Embed(i, batch)), abT).clamp(-ClipX0, ClipX0);
            Tensor next;
            if (sampler.IsDdim)
            {
                var eps2 = (x - Math.Sqrt(abT) * x0) / Math.Sqrt(1 - abT);
                next = Math.Sqrt(abPrev) * x0 + Math.Sqrt(1 - abPrev) * eps2;
            }
            else
            {
                double beta = betas[i], alpha = 1 - beta;
                double c0 = beta * Math.Sqrt(abPrev) / (1 - abT), ct = (1 - abPrev) * Math.Sqrt(alpha) / (1 - abT);
                next = c0 * x0 + ct * x;
                if (i > 0)
                {
                    double variance = beta * (1 - abPrev) / (1 - abT);
                    var z = randn(start.shape, generator: noise).to(start.device);
                    next = next + Math.Sqrt(variance) * z;
                }
            }
            next.MoveToOuterDisposeScope();
            if (!ReferenceEquals(x, start)) x.Dispose();
            return next;
        }
    }

    public void Dispose()
    {
        sqrtAlphaBar.Dispose();
        sqrtOneMinusAlphaBar.Dispose();
        frequencies.Dispose();
    }
}
