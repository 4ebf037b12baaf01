using Annlsp.Progress;
using Annlsp.Training.Model;
using Annlsp.Training.Scoring;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// Scoring of a generative run after every epoch (docs/training.md, "Scores of generative runs"): the
    /// data set's reference classifier (trained on first need, which the `reference` events report) and a
    /// fixed noise batch of <c>score_samples</c> latent vectors drawn from the seed, so every epoch is judged
    /// on the same latent points. Null when scoring is off or cannot be had; the run goes on without it.
    /// </summary>
    internal GanScoring? StartGanScoring(long latent)
    {
        if (StartReference() is not { } reference) return null;
        var noise = randn([config.ScoreSamples, latent], generator: new Generator((ulong)seed + GanScoring.NoiseSeedOffset)).to(device);
        return new GanScoring(reference, noise);
    }

    /// <summary>The data set's reference classifier for a generative run's scores (its `reference` events); null when scoring is off or cannot be had.</summary>
    internal ReferenceClassifier? StartReference()
    {
        int samples = config.ScoreSamples;
        if (samples <= 0) return null;
        try
        {
            var reference = ReferenceClassifier.Get(config.Data, new ReferenceOptions
            {
                CacheDir = options.ScoreCacheDir, Device = runtime.DeviceName, LibTorch = options.LibTorch,
                OnTraining = () => Emit(new ReferenceEvent { Status = "training", Data = config.Data.Display }),
            });
            Emit(new ReferenceEvent
            {
                Status = "ready", Data = config.Data.Display, Accuracy = reference.TestAccuracy, FdReal = reference.RealVsRealFd,
                Classes = reference.ClassNames.Count, TestImages = reference.TestCount, Trained = reference.TrainedNow,
                Seconds = reference.TrainedNow ? reference.TrainSeconds : 0.0, Path = reference.CachePath, ScoreSamples = samples,
            });
            return reference;
        }
        catch (TrainingException e)
        {
            Emit(new ReferenceEvent { Status = "failed", Data = config.Data.Display, Reason = e.Message });
            return null;
        }
    }

    /// <summary>The epoch event with its sample scores (unchanged without scoring).</summary>
    internal static EpochEvent WithScores(EpochEvent e, SampleScores? s) => s is null ? e : e with
    {
        Fd = s.Fd, FdReal = s.RealVsRealFd, Confident = s.Confident, Coverage = s.Coverage, Classes = s.Classes,
        ScoreSamples = s.Samples, ScoreSeconds = s.Seconds,
    };

    /// <summary>The last epoch's scores, repeated in the `finished` event (the editor's result lens reads them there).</summary>
    internal static FinishedEvent WithScores(FinishedEvent e, Dictionary<string, double> metrics) =>
        metrics.TryGetValue("fd", out var fd)
            ? e with { Fd = fd, FdReal = metrics["fd_real"], Confident = metrics["confident"], Coverage = (int)metrics["coverage"], Classes = (int)metrics["classes"] }
            : e;

    internal void WriteScoreScalars(SampleScores? s, int epoch)
    {
        if (s is null) return;
        WriteScalar("samples/fd", s.Fd, epoch);
        WriteScalar("samples/fd_real", s.RealVsRealFd, epoch);
        WriteScalar("samples/confident", s.Confident, epoch);
        WriteScalar("samples/coverage", s.Coverage, epoch);
    }

    internal static void AddScores(Dictionary<string, double> metrics, SampleScores? s)
    {
        if (s is null) return;
        metrics["fd"] = s.Fd;
        metrics["fd_real"] = s.RealVsRealFd;
        metrics["confident"] = s.Confident;
        metrics["coverage"] = s.Coverage;
        metrics["classes"] = s.Classes;
        metrics["scoreSeconds"] = s.Seconds;
    }
}

/// <summary>A GAN's reference classifier and its fixed scoring noise.</summary>
public sealed class GanScoring(ReferenceClassifier reference, Tensor noise) : IDisposable
{
    /// <summary>The scoring noise comes from a generator seeded with the run's seed plus this (the preview grid's uses + 17).</summary>
    public const int NoiseSeedOffset = 31;

    public ReferenceClassifier Reference { get; } = reference;

    /// <summary>Draws the samples (eval mode, no gradients, in chunks) and scores them; the generator goes back to its mode.</summary>
    public SampleScores Score(AnnNetwork generator)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool wasTraining = generator.training;
        generator.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var images = cat(Enumerable.Range(0, (int)((noise.shape[0] + 499) / 500))
                .Select(i => generator.Predict(noise.narrow(0, i * 500L, Math.Min(500L, noise.shape[0] - i * 500L)))).ToList(), 0);
            var scores = Reference.Score(images);
            return scores with { Seconds = clock.Elapsed.TotalSeconds }; // drawing the samples is part of the cost
        }
        finally
        {
            generator.train(wasTraining);
        }
    }

    public void Dispose()
    {
        Reference.Dispose();
        noise.Dispose();
    }
}
