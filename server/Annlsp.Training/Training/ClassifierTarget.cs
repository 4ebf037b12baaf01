using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Training;

/// <summary>
/// A classifier: cross-entropy on the logits (with the train block's label smoothing), inputs standardised with the
/// training split's statistics, evaluated on the test or validation split after every epoch; the preview is the first
/// evaluation images framed by whether they were predicted right.
/// </summary>
internal sealed class ClassifierTarget : ITargetKind
{
    private readonly Trainer trainer;
    private readonly TrainConfig config;
    private readonly NetworkModel network;
    private readonly AnnNetwork model;
    private readonly FlatParameters flat;
    private readonly FlatOptimizer optimizer;
    private readonly InputStandardisation input;
    private Tensor? lossSum, correct;

    public ClassifierTarget(Trainer trainer, JsonObject? resumeMeta)
    {
        this.trainer = trainer;
        config = trainer.Config;
        network = config.Network ?? throw new TrainingException($"train {config.DisplayName}: no network");
        var device = trainer.Device;
        Data = DataSets.Load(new DataRequest { Data = config.Data, Limit = trainer.Options.Limit, ValidateFraction = config.ValidateOnTest ? null : config.ValidateFraction, Seed = trainer.Seed });
        CheckClassCount(Data.Train);
        Data.Train.To(device);
        Data.Evaluation?.To(device);
        model = ModelBuilder.Build(network, device);
        flat = new FlatParameters(model.parameters());
        optimizer = FlatOptimizer.Create(config.Optimizer, flat);
        // a resumed run keeps the standardisation it started with (a checkpoint written before standardisation
        // existed has none: that run goes on in [0, 1])
        int channels = (int)Data.Train.Images.shape[1];
        input = InputStandardisation.Read(resumeMeta?["input"]) is { } saved ? new InputStandardisation(saved.Mean, saved.Std, device)
            : resumeMeta is not null ? new InputStandardisation(new double[channels], Enumerable.Repeat(1.0, channels).ToArray(), device)
            : InputStandardisation.FromData(Data.Train.Images, device);
        CheckpointInput = input.ToJson();
    }

    public string Name => "classifier";
    public DataSplit Data { get; }
    public JsonNode? CheckpointInput { get; }

    public RunDescription Describe() => new("cross_entropy (on logits)", config.LabelSmoothing, CheckpointInput?.DeepClone(),
        new JsonObject { ["network"] = Trainer.NetworkJson(network, model) });

    public IEnumerable<(string Name, Tensor Value)> CheckpointTensors() =>
        model.state_dict().Select(kv => ("model." + kv.Key, kv.Value))
            .Concat(optimizer.State().Select(s => ("optim." + s.Name, s.Value)))
            .Append(("optim.step", tensor(optimizer.StepCount)));

    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state)
    {
        Trainer.LoadModelState(model, state, "model.");
        optimizer.LoadState(state, "optim.");
    }

    public void BeforeTraining() { }

    public void BeginEpoch()
    {
        model.train();
        lossSum?.Dispose();
        correct?.Dispose();
        lossSum = zeros(1, dtype: ScalarType.Float32, device: trainer.Device);
        correct = zeros(1, dtype: ScalarType.Int64, device: trainer.Device);
    }

    public double[]? TrainBatch(Tensor indices, int count, long globalStep, double lr, bool report)
    {
        var x = input.Apply(trainer.Augment(globalStep, Data.Train.Images.index_select(0, indices))[0]);
        var y = Data.Train.Labels.index_select(0, indices);
        var logits = model.forward(x);
        var loss = F.cross_entropy(logits, y, label_smoothing: config.LabelSmoothing);
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.LearningRate = lr;
        optimizer.Step();
        using (no_grad())
        {
            lossSum!.add_(loss.detach() * count);
            correct!.add_(logits.argmax(1).eq(y).sum());
        }
        return report ? [loss.item<float>()] : null;
    }

    public StepEvent StepMetrics(StepEvent e, double[] report)
    {
        trainer.WriteScalar("train/step_loss", report[0], (int)e.GlobalStep);
        trainer.WriteScalar("train/lr", e.Lr, (int)e.GlobalStep);
        return e with { Loss = report[0] };
    }

    public (Dictionary<string, double> Metrics, double? Diverged) EpochTraining(long seen)
    {
        double trainLoss = seen > 0 ? lossSum!.item<float>() / seen : double.NaN;
        double trainAcc = seen > 0 ? correct!.item<long>() / (double)seen : double.NaN;
        return (new Dictionary<string, double> { ["loss"] = trainLoss, ["train_accuracy"] = trainAcc }, seen > 0 && Trainer.Bad(trainLoss) ? trainLoss : null);
    }

    public EpochEvent Evaluate(int epoch, Dictionary<string, double> metrics, EpochEvent e)
    {
        var (evalLoss, evalAcc) = Data.Evaluation is null ? (double.NaN, double.NaN) : Evaluate(Data.Evaluation);
        metrics["val_loss"] = evalLoss;
        metrics["accuracy"] = evalAcc;
        trainer.WriteScalar("train/loss", metrics["loss"], epoch);
        trainer.WriteScalar("train/accuracy", metrics["train_accuracy"], epoch);
        trainer.WriteScalar($"{Data.EvaluationName}/loss", evalLoss, epoch);
        trainer.WriteScalar($"{Data.EvaluationName}/accuracy", evalAcc, epoch);
        return e with { Loss = metrics["loss"], Accuracy = evalAcc, TrainAccuracy = metrics["train_accuracy"], ValLoss = evalLoss, EvaluationSet = Data.EvaluationName };
    }

    private (double Loss, double Accuracy) Evaluate(TensorDataSet data)
    {
        model.eval();
        using var _ = no_grad();
        using var sum = zeros(1, dtype: ScalarType.Float64, device: trainer.Device);
        using var right = zeros(1, dtype: ScalarType.Int64, device: trainer.Device);
        const int chunk = 256; // a dispose scope keeps every layer's output of a chunk alive until the chunk ends
        for (int start = 0; start < data.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(chunk, data.Count - start);
            var x = input.Apply(data.Images.narrow(0, start, count));
            var y = data.Labels.narrow(0, start, count);
            var logits = model.forward(x);
            sum.add_(F.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64));
            right.add_(logits.argmax(1).eq(y).sum());
        }
        model.train();
        return (sum.item<double>() / data.Count, right.item<long>() / (double)data.Count);
    }

    public bool WritePreview(string path)
    {
        if (Data.Evaluation is not { } data) return false;
        int cells = Math.Min(config.Preview.H * config.Preview.W, data.Count);
        int rows = Math.Max(1, Math.Min(config.Preview.H, (cells + config.Preview.W - 1) / config.Preview.W));
        model.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var bytes = data.Images.narrow(0, 0, cells);
            var x = TensorDataSet.Normalise(bytes, symmetric: false); // shown in [0, 1]
            var predicted = model.forward(input.Apply(bytes)).argmax(1).cpu().data<long>().Select(v => (int)v).ToArray();
            var labels = data.Labels.narrow(0, 0, cells).cpu().data<long>().ToArray();
            ImageGrid.WritePng(path, x, rows, config.Preview.W, 0, 1, predicted, predicted.Select((p, i) => p == labels[i]).ToArray());
        }
        model.train();
        return true;
    }

    public FinishedEvent Finished(FinishedEvent e, Dictionary<string, double> metrics) =>
        e with { Loss = metrics.GetValueOrDefault("loss", double.NaN), Accuracy = metrics.GetValueOrDefault("accuracy", double.NaN) };

    public FinishedEvent Stopped(FinishedEvent e, long seen, Dictionary<string, double> metrics)
    {
        metrics["loss"] = lossSum!.item<float>() / Math.Max(1, seen);
        return e with { Loss = metrics["loss"] };
    }

    public void SaveModels(string runDir) => RunFolder.SaveModelPt(model, Path.Combine(runDir, RunFolder.ModelFile));

    /// <summary>
    /// One output per class. The checker compares them for data sets whose classes it knows; an `images`
    /// folder's classes are only known now — checked before `started`, instead of LibTorch's
    /// "Target 13 is out of bounds" in the first step.
    /// </summary>
    private void CheckClassCount(TensorDataSet train)
    {
        int classes = train.ClassNames.Count;
        if (!network.Output.IsVector || network.Output[0] == classes) return;
        var source = config.Data.Directory is { } dir ? $"{config.Data.Name}(\"{dir}\") ({Path.GetFullPath(dir)})" : config.Data.Name;
        var names = string.Join(", ", train.ClassNames.Take(6)) + (classes > 6 ? ", …" : "");
        var what = config.Data.Name == "images" ? "class folders" : "classes";
        throw new TrainingException($"{source} has {classes} {what} ({names}), but {network.Name} outputs {network.Output[0]} scores; " +
            $"make its last layer dense({classes}){(config.Data.Name == "images" ? $", or keep {network.Output[0]} class folders" : "")}");
    }

    public void Dispose()
    {
        lossSum?.Dispose();
        correct?.Dispose();
        input.Dispose();
        optimizer.Dispose();
        flat.Dispose();
        Data.Dispose();
    }
}
