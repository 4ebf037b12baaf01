using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using Annlsp.Training.Scoring;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Training;

/// <summary>
/// A diffusion model (Ho et al. 2020): images scaled to [−1, 1]; each example gets a step t drawn uniformly from 1…T
/// and standard normal noise ε; the denoiser sees x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε and the embedding of t and is trained
/// to predict ε (MSE) — or, as `predict:` says, the velocity v = √ᾱ_t·ε − √(1 − ᾱ_t)·x₀ or x₀ itself. An exponential moving average of its weights (decay min(ema, (1 + n)/(10 + n)) after n steps)
/// is what samples: the previews, the scores, model.pt and `annlsp sample`. The checkpoint keeps both weight sets, so
/// a resume goes on with the same average.
/// </summary>
internal sealed class DiffusionTarget : ITargetKind
{
    /// <summary>The preview noise comes from the run's seed plus this (DDPM's per-step noise: <see cref="DiffusionProcess.DiffusionProcess.StepNoiseSeedOffset"/>).</summary>
    public const int PreviewSeedOffset = 17;

    private readonly Trainer trainer;
    private readonly TrainConfig config;
    private readonly DiffusionModel diffusion;
    private readonly NetworkModel network;
    private readonly AnnNetwork model, ema;
    private readonly FlatParameters flat, emaFlat;
    private readonly FlatOptimizer optimizer;
    private readonly DiffusionProcess process;
    private readonly Tensor previewNoise;
    private ReferenceClassifier? reference;
    private Tensor? scoreNoise;
    private SampleScores? scores;
    private Tensor? lossSum;
    private string? trajectoryPath;

    public DiffusionTarget(Trainer trainer)
    {
        this.trainer = trainer;
        config = trainer.Config;
        diffusion = config.Diffusion ?? throw new TrainingException($"train {config.DisplayName}: no diffusion");
        network = diffusion.Denoiser ?? throw new TrainingException($"diffusion {diffusion.Name} has no valid denoiser");
        var device = trainer.Device;
        Data = DataSets.Load(new DataRequest { Data = config.Data, Limit = trainer.Options.Limit, Seed = trainer.Seed, NeedEvaluation = false });
        Data.Train.To(device);
        model = ModelBuilder.Build(network, device);
        ema = ModelBuilder.Build(network, device, verify: false);
        flat = new FlatParameters(model.parameters());
        emaFlat = new FlatParameters(ema.parameters());
        using (no_grad()) emaFlat.Data.copy_(flat.Data);
        CopyBuffers();
        ema.eval();
        optimizer = FlatOptimizer.Create(config.Optimizer, flat);
        process = new DiffusionProcess(diffusion, device);
        previewNoise = randn([config.Preview.H * config.Preview.W, .. network.Input.Dims], generator: new Generator((ulong)trainer.Seed + PreviewSeedOffset)).to(device);
    }

    public string Name => "diffusion";
    public DataSplit Data { get; }
    public JsonNode? CheckpointInput => null;
    public string? TrajectoryPath => trajectoryPath;

    /// <summary>The loss as run.json and the events describe it.</summary>
    public static string LossDescription(DiffusionModel d) => d.Prediction switch
    {
        DiffusionModel.PredictVelocity => "mse (predicted against true velocity)",
        DiffusionModel.PredictImage => "mse (predicted against clean image)",
        _ => "mse (predicted against true noise)",
    };

    public RunDescription Describe() => new(LossDescription(diffusion), null, "[-1, 1]",
        new JsonObject
        {
            ["denoiser"] = Trainer.NetworkJson(network, model),
            ["diffusion"] = new JsonObject
            {
                ["name"] = diffusion.Name, ["steps"] = diffusion.Schedule.Steps, ["schedule"] = diffusion.Schedule.Kind,
                ["beta_start"] = diffusion.Schedule.BetaStart, ["beta_end"] = diffusion.Schedule.BetaEnd,
                ["sampler"] = diffusion.Sampler.ToString(), ["time_embed"] = diffusion.TimeEmbedding, ["ema"] = diffusion.Ema,
                ["predict"] = diffusion.Prediction,
                ["alpha_bar_T"] = diffusion.Schedule.AlphaBarAtEnd,
            },
        });

    public IEnumerable<(string Name, Tensor Value)> CheckpointTensors() =>
        model.state_dict().Select(kv => ("model." + kv.Key, kv.Value))
            .Concat(ema.state_dict().Select(kv => ("ema." + kv.Key, kv.Value)))
            .Concat(optimizer.State().Select(s => ("optim." + s.Name, s.Value)))
            .Append(("optim.step", tensor(optimizer.StepCount)));

    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state)
    {
        Trainer.LoadModelState(model, state, "model.");
        Trainer.LoadModelState(ema, state, "ema.");
        optimizer.LoadState(state, "optim.");
    }

    public void BeforeTraining()
    {
        reference = trainer.StartReference();
        if (reference is not null)
            scoreNoise = randn([config.ScoreSamples, .. network.Input.Dims], generator: new Generator((ulong)trainer.Seed + GanScoring.NoiseSeedOffset)).to(trainer.Device);
    }

    public void BeginEpoch()
    {
        model.train();
        lossSum?.Dispose();
        lossSum = zeros(1, dtype: ScalarType.Float32, device: trainer.Device);
    }

    public double[]? TrainBatch(Tensor indices, int count, long globalStep, double lr, bool report)
    {
        var device = trainer.Device;
        var x0 = TensorDataSet.Normalise(trainer.Augment(globalStep, Data.Train.Images.index_select(0, indices))[0], symmetric: true);
        var steps = randint(0, diffusion.Schedule.Steps, [count], dtype: ScalarType.Int64, device: device);
        var noise = randn_like(x0);
        var xt = process.Noised(x0, steps, noise);
        var predicted = DiffusionProcess.Denoise(model, xt, process.Embed(steps));
        var loss = F.mse_loss(predicted, process.TrainingTarget(x0, steps, noise));
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.LearningRate = lr;
        optimizer.Step();
        using (no_grad())
        {
            double decay = Math.Min(diffusion.Ema, (1.0 + optimizer.StepCount) / (10.0 + optimizer.StepCount));
            emaFlat.Data.mul_(decay).add_(flat.Data, alpha: 1 - decay);
            lossSum!.add_(loss.detach() * count);
        }
        return report ? [loss.item<float>()] : null;
    }

    public StepEvent StepMetrics(StepEvent e, double[] report)
    {
        trainer.WriteScalar("diffusion/step_loss", report[0], (int)e.GlobalStep);
        return e with { Loss = report[0] };
    }

    public (Dictionary<string, double> Metrics, double? Diverged) EpochTraining(long seen)
    {
        double loss = seen > 0 ? lossSum!.item<float>() / seen : double.NaN;
        return (new Dictionary<string, double> { ["loss"] = loss }, seen > 0 && Trainer.Bad(loss) ? loss : null);
    }

    public EpochEvent Evaluate(int epoch, Dictionary<string, double> metrics, EpochEvent e)
    {
        scores = reference is null || scoreNoise is null ? null : Score(reference, scoreNoise);
        Trainer.AddScores(metrics, scores);
        trainer.WriteScalar("diffusion/loss", metrics["loss"], epoch);
        trainer.WriteScoreScalars(scores, epoch);
        return Trainer.WithScores(e with { Loss = metrics["loss"] }, scores);
    }

    /// <summary>Draws images from <paramref name="start"/> with the EMA weights and the diffusion's sampler.</summary>
    private Tensor Draw(Tensor start, List<Tensor>? trajectory = null)
    {
        CopyBuffers();
        return process.SampleInChunks(ema, start, diffusion.Sampler, trainer.Seed, trajectory);
    }

    private SampleScores Score(ReferenceClassifier reference, Tensor noise)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var scored = reference.Score(Draw(noise));
        return scored with { Seconds = clock.Elapsed.TotalSeconds }; // drawing the samples is part of the cost
    }

    public bool WritePreview(string path)
    {
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var frames = new List<Tensor>();
            var images = Draw(previewNoise, frames);
            ImageGrid.WritePng(path, images, config.Preview.H, config.Preview.W, -1, 1);
            trajectoryPath = RunFolder.TrajectoryPathFor(path);
            DiffusionProcess.WriteTrajectory(trajectoryPath, frames);
        }
        return true;
    }

    public FinishedEvent Finished(FinishedEvent e, Dictionary<string, double> metrics) =>
        Trainer.WithScores(e with { Loss = metrics.GetValueOrDefault("loss", double.NaN) }, metrics);

    public FinishedEvent Stopped(FinishedEvent e, long seen, Dictionary<string, double> metrics)
    {
        metrics["loss"] = lossSum!.item<float>() / Math.Max(1, seen);
        return e with { Loss = metrics["loss"] };
    }

    /// <summary>model.pt is the EMA denoiser (what `annlsp sample` and export use); denoiser-trained.pt the weights as trained.</summary>
    public void SaveModels(string runDir)
    {
        CopyBuffers();
        RunFolder.SaveModelPt(ema, Path.Combine(runDir, RunFolder.ModelFile));
        RunFolder.SaveModelPt(model, Path.Combine(runDir, "denoiser-trained.pt"));
    }

    /// <summary>Normalisation statistics (batch norm's running mean and variance) are not averaged: the EMA network uses the trained ones.</summary>
    private void CopyBuffers()
    {
        using var _ = no_grad();
        var target = ema.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, buffer) in model.named_buffers())
            if (target.TryGetValue(name, out var t)) t.copy_(buffer);
    }

    public void Dispose()
    {
        scoreNoise?.Dispose();
        reference?.Dispose();
        lossSum?.Dispose();
        previewNoise.Dispose();
        process.Dispose();
        optimizer.Dispose();
        emaFlat.Dispose();
        flat.Dispose();
        model.Dispose();
        ema.Dispose();
        Data.Dispose();
    }
}
