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
/// pix2pix (Isola et al., 2017): a generator that translates an input image x into y, and a discriminator that sees
/// x beside an image and says, per logit (one, or each of a patch map), whether it is the real y. One discriminator
/// step on (x, y) → 1 and (x, G(x)) → 0 with its loss halved, then one generator step on BCE(D(x, G(x)), 1) + λ·|G(x) − y|.
/// Weights N(0, 0.02). After every epoch the held-out pairs measure L1 and PSNR of G(x) against y beside those of the
/// input itself; the preview is rows of input | generated | target for the same first held-out pairs every epoch.
/// </summary>
internal sealed class Pix2PixTarget : ITargetKind
{
    /// <summary>At most this many held-out pairs are measured after each epoch.</summary>
    public const int EvaluationPairs = 1000;
    private const int EvaluationBatch = 250;

    private readonly Trainer trainer;
    private readonly TrainConfig config;
    private readonly AdversarialPair pair;
    private readonly double lambda;
    /// <summary>The preview's held-out pairs, in [-1, 1]: inputs and targets.</summary>
    private readonly Tensor previewInputs, previewTargets;
    /// <summary>loss_d, loss_g, l1 of the epoch, each weighted by its batch size.</summary>
    private Tensor? sums;
    /// <summary>The target images' reference classifier, when they have classes (edges of a labelled data set) and scoring is on.</summary>
    private ReferenceClassifier? reference;

    public Pix2PixTarget(Trainer trainer)
    {
        this.trainer = trainer;
        config = trainer.Config;
        var gan = config.Gan ?? throw new TrainingException($"train {config.DisplayName}: no gan");
        if (gan.Generator is { } generator && !generator.Input.IsImage) throw new TrainingException($"the generator {generator.Name} must take an image to be trained on pairs, not {generator.Input}");
        lambda = gan.L1Weight;
        var device = trainer.Device;
        Data = DataSets.Load(new DataRequest
        {
            Data = config.Data, Limit = trainer.Options.Limit, Seed = trainer.Seed, ValidateFraction = config.ValidateFraction,
        });
        if (Data.Train.Inputs is null || Data.Evaluation?.Inputs is null)
            throw new TrainingException($"{config.Data.Display} is not a paired data set: train the gan {gan.Name} on edges(…) or pairs(…)");
        Data.Train.To(device);
        Data.Evaluation.To(device);
        pair = new AdversarialPair(config, device);
        int shown = Math.Min(PreviewRows, Data.Evaluation.Count);
        previewInputs = Symmetric(Data.Evaluation.Inputs.narrow(0, 0, shown));
        previewTargets = Symmetric(Data.Evaluation.Images.narrow(0, 0, shown));
    }

    public string Name => "pix2pix";
    public DataSplit Data { get; }
    public JsonNode? CheckpointInput => null;
    /// <summary>The preview's rows: the first number of `preview: RxC` (one held-out pair per row).</summary>
    private int PreviewRows => Math.Max(1, config.Preview.H);

    private static Tensor Symmetric(Tensor bytes) => TensorDataSet.Normalise(bytes, symmetric: true);

    public RunDescription Describe()
    {
        var networks = pair.Describe();
        networks["l1"] = lambda;
        return new($"bce_with_logits + {lambda}·l1", null, "[-1, 1]", networks);
    }

    public IEnumerable<(string Name, Tensor Value)> CheckpointTensors() => pair.CheckpointTensors();

    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state) => pair.LoadCheckpoint(state);

    /// <summary>
    /// Translations of edges(DATASET, …) are scored like a gan's samples, by a reference classifier of the pairs' targets
    /// (DATASET's images at the pairs' size, with its labels); pairs("dir") have no classes to score against.
    /// </summary>
    public void BeforeTraining()
    {
        if (config.Data.Source is not null) reference = trainer.StartReference();
    }

    public void BeginEpoch()
    {
        pair.Train();
        sums?.Dispose();
        sums = zeros(3, dtype: ScalarType.Float32, device: trainer.Device);
    }

    public double[]? TrainBatch(Tensor indices, int count, long globalStep, double lr, bool report)
    {
        var pairImages = trainer.Augment(globalStep, Data.Train.Inputs!.index_select(0, indices), Data.Train.Images.index_select(0, indices)); // mirrored and moved together
        var x = Symmetric(pairImages[0]);
        var y = Symmetric(pairImages[1]);
        var fake = pair.G.forward(x);

        pair.DOpt.ZeroGrad();
        var dReal = pair.D.forward(cat([x, y], 1));
        var dFake = pair.D.forward(cat([x, fake.detach()], 1));
        var lossD = 0.5 * (F.binary_cross_entropy_with_logits(dReal, ones_like(dReal)) + F.binary_cross_entropy_with_logits(dFake, zeros_like(dFake)));
        lossD.backward();
        pair.DOpt.LearningRate = lr;
        pair.DOpt.Step();

        pair.GOpt.ZeroGrad();
        var dFake2 = pair.D.forward(cat([x, fake], 1));
        var l1 = (fake - y).abs().mean();
        var lossG = F.binary_cross_entropy_with_logits(dFake2, ones_like(dFake2)) + lambda * l1;
        lossG.backward();
        pair.GOpt.LearningRate = lr;
        pair.GOpt.Step();

        using (no_grad())
        {
            // L1 reported on pixels in [0, 1], as the evaluation measures it: half the distance in [-1, 1].
            var row = stack([lossD.detach(), lossG.detach(), l1.detach() / 2]);
            sums!.add_(row * count);
            return report ? row.cpu().data<float>().Select(v => (double)v).ToArray() : null;
        }
    }

    public StepEvent StepMetrics(StepEvent e, double[] report) => e with { LossD = report[0], LossG = report[1], TrainL1 = report[2] };

    public (Dictionary<string, double> Metrics, double? Diverged) EpochTraining(long seen)
    {
        var avg = (sums! / Math.Max(1, seen)).cpu().data<float>().Select(v => (double)v).ToArray();
        var metrics = new Dictionary<string, double> { ["loss_d"] = avg[0], ["loss_g"] = avg[1], ["train_l1"] = avg[2] };
        return (metrics, avg.Any(Trainer.Bad) ? avg.First(Trainer.Bad) : null);
    }

    public EpochEvent Evaluate(int epoch, Dictionary<string, double> metrics, EpochEvent e)
    {
        var (l1, psnr, l1Input, psnrInput) = Measure(pair.G, Data.Evaluation!, EvaluationPairs);
        metrics["l1"] = l1;
        metrics["psnr"] = psnr;
        metrics["l1_input"] = l1Input;
        metrics["psnr_input"] = psnrInput;
        foreach (var k in new[] { "loss_d", "loss_g", "l1", "psnr", "l1_input", "psnr_input" }) trainer.WriteScalar($"pix2pix/{k}", metrics[k], epoch);
        var scores = reference is null ? null : Score(pair.G, reference, Data.Evaluation!, config.ScoreSamples);
        Trainer.AddScores(metrics, scores);
        trainer.WriteScoreScalars(scores, epoch);
        return Trainer.WithScores(e with
        {
            LossD = metrics["loss_d"], LossG = metrics["loss_g"], L1 = l1, Psnr = psnr, L1Input = l1Input, PsnrInput = psnrInput,
            EvaluationSet = Data.EvaluationName,
        }, scores);
    }

    /// <summary>
    /// The translations of the first <paramref name="samples"/> held-out inputs judged by the pairs' reference classifier,
    /// as a gan's samples are: FD against the real held-out targets' features, confident, coverage.
    /// </summary>
    internal static SampleScores Score(AnnNetwork generator, ReferenceClassifier reference, TensorDataSet pairs, int samples)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool training = generator.training;
        generator.eval();
        int n = Math.Min(samples, pairs.Count);
        SampleScores scores;
        using (no_grad())
        using (NewDisposeScope())
        {
            var translated = new List<Tensor>();
            for (int start = 0; start < n; start += EvaluationBatch)
                translated.Add(generator.Predict(Symmetric(pairs.Inputs!.narrow(0, start, Math.Min(EvaluationBatch, n - start)))).clamp(-1, 1));
            scores = reference.Score(cat(translated, 0));
        }
        if (training) generator.train();
        return scores with { Seconds = clock.Elapsed.TotalSeconds }; // translating the inputs is part of the cost
    }

    /// <summary>
    /// Mean |G(x) − y| and mean per-image PSNR (dB, peak 1) over the first <paramref name="limit"/> pairs, pixels in
    /// [0, 1]; and the same for the input itself as the answer (its channels repeated when the target has more).
    /// </summary>
    internal static (double L1, double Psnr, double L1Input, double PsnrInput) Measure(AnnNetwork generator, TensorDataSet pairs, int limit)
    {
        bool training = generator.training;
        generator.eval();
        int n = Math.Min(limit, pairs.Count);
        double l1 = 0, psnr = 0, l1Input = 0, psnrInput = 0;
        using (no_grad())
        {
            for (int start = 0; start < n; start += EvaluationBatch)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(EvaluationBatch, n - start);
                var x = Symmetric(pairs.Inputs!.narrow(0, start, count));
                var y = Symmetric(pairs.Images.narrow(0, start, count)).add(1).div(2);
                var output = generator.Predict(x).clamp(-1, 1).add(1).div(2);
                var asAnswer = x.add(1).div(2).expand_as(y);
                (double L1, double Psnr) Of(Tensor answer)
                {
                    var diff = answer - y;
                    var mse = diff.square().mean([1, 2, 3]).clamp_min(1e-10);
                    return (diff.abs().mean([1, 2, 3]).sum().item<float>(), (-10 * mse.log10()).sum().item<float>());
                }
                var (a, b) = Of(output);
                var (c, dd) = Of(asAnswer);
                l1 += a; psnr += b; l1Input += c; psnrInput += dd;
            }
        }
        if (training) generator.train();
        return (l1 / n, psnr / n, l1Input / n, psnrInput / n);
    }

    /// <summary>Rows of input | generated | target for the fixed held-out pairs.</summary>
    public bool WritePreview(string path)
    {
        pair.G.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
            WriteTriplets(path, previewInputs, pair.G.Predict(previewInputs), previewTargets);
        pair.G.train();
        return true;
    }

    /// <summary>A grid PNG with one row per pair: input | generated | target, values in [-1, 1].</summary>
    internal static void WriteTriplets(string path, Tensor inputs, Tensor generated, Tensor targets)
    {
        using var scope = NewDisposeScope();
        long c = Math.Max(inputs.shape[1], targets.shape[1]);
        Tensor Channels(Tensor t) => t.shape[1] == c ? t : t.expand(t.shape[0], c, t.shape[2], t.shape[3]);
        var rows = stack([Channels(inputs), Channels(generated.clamp(-1, 1)), Channels(targets)], 1).reshape(-1, c, targets.shape[2], targets.shape[3]);
        ImageGrid.WritePng(path, rows, (int)inputs.shape[0], 3, -1, 1);
    }

    public FinishedEvent Finished(FinishedEvent e, Dictionary<string, double> metrics)
    {
        double? M(string k) => metrics.TryGetValue(k, out var v) ? v : null;
        return Trainer.WithScores(e with { LossG = M("loss_g"), LossD = M("loss_d"), L1 = M("l1"), Psnr = M("psnr"), L1Input = M("l1_input"), PsnrInput = M("psnr_input") }, metrics);
    }

    public FinishedEvent Stopped(FinishedEvent e, long seen, Dictionary<string, double> metrics) => Finished(e, metrics);

    /// <summary>model.pt is the generator (what `annlsp sample` and export use); discriminator.pt next to it.</summary>
    public void SaveModels(string runDir)
    {
        pair.SaveModels(runDir);
    }

    public void Dispose()
    {
        reference?.Dispose();
        sums?.Dispose();
        previewInputs.Dispose();
        previewTargets.Dispose();
        pair.Dispose();
        Data.Dispose();
    }
}
