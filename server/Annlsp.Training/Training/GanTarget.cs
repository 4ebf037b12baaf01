using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using Annlsp.Training.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Training;

/// <summary>
/// DCGAN recipe: weights N(0, 0.02) (batch-norm scales N(1, 0.02)), real = 1 / fake = 0, BCE on the
/// discriminator's logits, one discriminator step on real + detached fake, then one generator step
/// that asks D to call the fakes real. A fixed noise batch (from the seed) renders the preview grid,
/// so every epoch shows the same latent points; the samples are scored after every epoch (Trainer.Scoring.cs).
/// </summary>
internal sealed class GanTarget : ITargetKind
{
    private readonly Trainer trainer;
    private readonly TrainConfig config;
    private readonly AdversarialPair pair;
    private readonly long latent;
    private readonly Tensor fixedNoise;
    private GanScoring? scoring;
    private SampleScores? scores;
    /// <summary>loss_d, loss_g, D(x), D(G(z)) of the epoch, each weighted by its batch size.</summary>
    private Tensor? sums;

    public GanTarget(Trainer trainer)
    {
        this.trainer = trainer;
        config = trainer.Config;
        var gan = config.Gan ?? throw new TrainingException($"train {config.DisplayName}: no gan");
        if (gan.Generator is { } generator && !generator.Input.IsVector) throw new TrainingException($"the generator {generator.Name} must take a latent vector, not {generator.Input}");
        var device = trainer.Device;
        Data = DataSets.Load(new DataRequest { Data = config.Data, Limit = trainer.Options.Limit, Seed = trainer.Seed, NeedEvaluation = false });
        Data.Train.To(device);
        pair = new AdversarialPair(config, device);
        latent = pair.GeneratorNetwork.Input[0];
        fixedNoise = randn([config.Preview.H * config.Preview.W, latent], generator: new Generator((ulong)trainer.Seed + 17)).to(device);
    }

    public string Name => "gan";
    public DataSplit Data { get; }
    public JsonNode? CheckpointInput => null;

    public RunDescription Describe() => new("bce_with_logits", null, "[-1, 1]", pair.Describe());

    public IEnumerable<(string Name, Tensor Value)> CheckpointTensors() => pair.CheckpointTensors();

    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state) => pair.LoadCheckpoint(state);

    /// <summary>After the initialisation: training a reference classifier reseeds.</summary>
    public void BeforeTraining() => scoring = trainer.StartGanScoring(latent);

    public void BeginEpoch()
    {
        pair.Train();
        sums?.Dispose();
        sums = zeros(4, dtype: ScalarType.Float32, device: trainer.Device);
    }

    public double[]? TrainBatch(Tensor indices, int count, long globalStep, double lr, bool report)
    {
        var device = trainer.Device;
        var real = TensorDataSet.Normalise(trainer.Augment(globalStep, Data.Train.Images.index_select(0, indices))[0], symmetric: true);
        var z = randn([count, latent], device: device);
        var fake = pair.G.forward(z);
        var ones = torch.ones([count, 1], device: device);
        var zeros = torch.zeros([count, 1], device: device);

        pair.DOpt.ZeroGrad();
        var dReal = pair.D.forward(real);
        var dFake = pair.D.forward(fake.detach());
        var lossD = F.binary_cross_entropy_with_logits(dReal, ones) + F.binary_cross_entropy_with_logits(dFake, zeros);
        lossD.backward();
        pair.DOpt.LearningRate = lr;
        pair.DOpt.Step();

        pair.GOpt.ZeroGrad();
        var dFake2 = pair.D.forward(fake);
        var lossG = F.binary_cross_entropy_with_logits(dFake2, ones);
        lossG.backward();
        pair.GOpt.LearningRate = lr;
        pair.GOpt.Step();

        using (no_grad())
        {
            var row = stack([lossD.detach(), lossG.detach(), dReal.detach().sigmoid().mean(), dFake.detach().sigmoid().mean()]);
            sums!.add_(row * count);
            return report ? row.cpu().data<float>().Select(v => (double)v).ToArray() : null;
        }
    }

    public StepEvent StepMetrics(StepEvent e, double[] report) => e with { LossD = report[0], LossG = report[1], DX = report[2], DGZ = report[3] };

    public (Dictionary<string, double> Metrics, double? Diverged) EpochTraining(long seen)
    {
        var avg = (sums! / Math.Max(1, seen)).cpu().data<float>().Select(v => (double)v).ToArray();
        var metrics = new Dictionary<string, double> { ["loss_d"] = avg[0], ["loss_g"] = avg[1], ["d_x"] = avg[2], ["d_g_z"] = avg[3] };
        return (metrics, avg.Any(Trainer.Bad) ? avg.First(Trainer.Bad) : null);
    }

    public EpochEvent Evaluate(int epoch, Dictionary<string, double> metrics, EpochEvent e)
    {
        scores = scoring?.Score(pair.G);
        Trainer.AddScores(metrics, scores);
        foreach (var k in new[] { "loss_d", "loss_g", "d_x", "d_g_z" }) trainer.WriteScalar($"gan/{k}", metrics[k], epoch);
        trainer.WriteScoreScalars(scores, epoch);
        return Trainer.WithScores(e with { LossD = metrics["loss_d"], LossG = metrics["loss_g"], DX = metrics["d_x"], DGZ = metrics["d_g_z"] }, scores);
    }

    public bool WritePreview(string path)
    {
        pair.G.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var images = pair.G.Predict(fixedNoise);
            ImageGrid.WritePng(path, images, config.Preview.H, config.Preview.W, -1, 1);
        }
        pair.G.train();
        return true;
    }

    public FinishedEvent Finished(FinishedEvent e, Dictionary<string, double> metrics) => Trainer.WithScores(
        e with { LossG = metrics.GetValueOrDefault("loss_g", double.NaN), LossD = metrics.GetValueOrDefault("loss_d", double.NaN) }, metrics);

    public FinishedEvent Stopped(FinishedEvent e, long seen, Dictionary<string, double> metrics) => e;

    /// <summary>model.pt is the generator (what `annlsp sample` and export use); discriminator.pt next to it.</summary>
    public void SaveModels(string runDir)
    {
        pair.SaveModels(runDir);
    }

    /// <summary>Weights N(0, 0.02), biases 0, batch-norm scales N(1, 0.02): DCGAN's and pix2pix's initialisation.</summary>
    public void Dispose()
    {
        scoring?.Dispose();
        sums?.Dispose();
        fixedNoise.Dispose();
        pair.Dispose();
        Data.Dispose();
    }
}
