using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Training;

public sealed partial class Trainer
{
    private TrainResult RunClassifier(Dictionary<string, Tensor>? resume, JsonObject? resumeMeta)
    {
        var network = config.Network ?? throw new TrainingException($"train {config.DisplayName}: no network");
        using var data = DataSets.Load(new DataRequest { Data = config.Data, Limit = options.Limit, ValidateFraction = config.ValidateOnTest ? null : config.ValidateFraction, Seed = seed });
        CheckClassCount(network, data.Train);
        data.Train.To(device);
        data.Evaluation?.To(device);
        var model = ModelBuilder.Build(network, device);
        using var flat = new FlatParameters(model.parameters());
        using var optimizer = FlatOptimizer.Create(config.Optimizer, flat);
        // inputs are standardised with the training split's statistics; a resumed run keeps the ones it started
        // with (a checkpoint written before standardisation existed has none: that run goes on in [0, 1])
        int channels = (int)data.Train.Images.shape[1];
        using var input = InputStandardisation.Read(resumeMeta?["input"]) is { } saved ? new InputStandardisation(saved.Mean, saved.Std, device)
            : resumeMeta is not null ? new InputStandardisation(new double[channels], Enumerable.Repeat(1.0, channels).ToArray(), device)
            : InputStandardisation.FromData(data.Train.Images, device);
        inputJson = input.ToJson();

        int startEpoch = 0, startStep = 0;
        long globalStep = 0;
        if (resume is not null && resumeMeta is not null)
        {
            LoadModelState(model, resume, "model.");
            optimizer.LoadState(resume, "optim.");
            (startEpoch, startStep, globalStep) = ((int)resumeMeta["epoch"]!, (int)resumeMeta["stepInEpoch"]!, (long)resumeMeta["globalStep"]!);
        }
        else run.WriteRunJson(RunJson("classifier", data, new JsonObject { ["network"] = NetworkJson(network, model) }));

        int n = data.Train.Count;
        int steps = StepsPerEpoch(n);
        long totalSteps = (long)steps * epochs;
        double peakLr = config.Optimizer.LearningRate;
        progressEvery = options.ProgressEvery > 0 ? options.ProgressEvery : Math.Max(1, steps / 20);
        Emit("started", ("target", config.DisplayName), ("kind", "classifier"), ("device", runtime.DeviceName), ("libtorch", runtime.LibTorchSource), ("libtorchDir", runtime.LibTorchDir),
            ("runDir", run.Path), ("epochs", epochs), ("stepsPerEpoch", steps), ("train", n), ("evaluation", data.Evaluation?.Count),
            ("resumedFrom", resume is null ? null : globalStep), ("seed", seed), ("warnings", options.Warnings));

        var metrics = new Dictionary<string, double>();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            model.train();
            torch.manual_seed(seed + 7919L * (epoch + 1)); // dropout noise per epoch, so a resumed run matches
            using var perm = Permutation(n, seed, epoch, device);
            using var lossSum = zeros(1, dtype: ScalarType.Float32, device: device);
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            long seen = 0;
            var clock = Stopwatch.StartNew();
            int first = epoch == startEpoch ? startStep : 0;
            for (int step = first; step < steps; step++)
            {
                var (start, count) = BatchRange(step, n);
                double? stepLoss = null;
                double lr;
                using (var scope = NewDisposeScope())
                {
                    var idx = perm.narrow(0, start, count);
                    var x = input.Apply(data.Train.Images.index_select(0, idx));
                    var y = data.Train.Labels.index_select(0, idx);
                    var logits = model.forward(x);
                    var loss = F.cross_entropy(logits, y, label_smoothing: config.LabelSmoothing);
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.LearningRate = lr = LearningRateSchedule.At(config.Schedule, peakLr, globalStep, totalSteps); // a host scalar: no sync
                    optimizer.Step();
                    using (no_grad())
                    {
                        lossSum.add_(loss.detach() * count);
                        correct.add_(logits.argmax(1).eq(y).sum());
                    }
                    seen += count;
                    globalStep++;
                    if (globalStep % progressEvery == 0 || step == steps - 1)
                        stepLoss = loss.item<float>(); // the only host sync in the loop, every progressEvery steps
                }
                if (stepLoss is double sl)
                {
                    if (Bad(sl)) return NanFailure(epoch, step, sl);
                    double ips = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    Emit("step", ("epoch", epoch + 1), ("step", step + 1), ("steps", steps), ("globalStep", globalStep), ("loss", sl), ("lr", lr), ("imagesPerSecond", ips));
                    WriteScalar("train/step_loss", sl, (int)globalStep);
                    WriteScalar("train/lr", lr, (int)globalStep);
                }
                if (options.Cancellation.IsCancellationRequested)
                {
                    SaveClassifierCheckpoint(model, optimizer, epoch, step + 1, globalStep);
                    Emit("checkpoint", ("epoch", epoch + 1), ("step", step + 1), ("globalStep", globalStep), ("path", run.Checkpoint));
                    SaveModel(model);
                    metrics["loss"] = lossSum.item<float>() / Math.Max(1, seen);
                    Emit("finished", ("status", "stopped"), ("runDir", run.Path), ("epoch", epoch + 1), ("globalStep", globalStep), ("loss", metrics["loss"]), ("model", Path.Combine(run.Path, RunFolder.ModelFile)));
                    return new TrainResult("stopped", run.Path, metrics);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            double trainLoss = seen > 0 ? lossSum.item<float>() / seen : double.NaN;
            double trainAcc = seen > 0 ? correct.item<long>() / (double)seen : double.NaN;
            if (seen > 0 && Bad(trainLoss)) return NanFailure(epoch, steps - 1, trainLoss);

            var (evalLoss, evalAcc) = data.Evaluation is null ? (double.NaN, double.NaN) : Evaluate(model, data.Evaluation, input);
            metrics = new Dictionary<string, double>
            {
                ["loss"] = trainLoss, ["train_accuracy"] = trainAcc, ["val_loss"] = evalLoss, ["accuracy"] = evalAcc,
                ["seconds"] = seconds, ["imagesPerSecond"] = seen / Math.Max(1e-9, seconds),
            };
            Emit("epoch", ("epoch", epoch + 1), ("epochs", epochs), ("globalStep", globalStep), ("loss", trainLoss), ("accuracy", evalAcc),
                ("train_accuracy", trainAcc), ("val_loss", evalLoss), ("evaluationSet", data.EvaluationName), ("seconds", seconds), ("imagesPerSecond", metrics["imagesPerSecond"]));
            WriteScalar("train/loss", trainLoss, epoch + 1);
            WriteScalar("train/accuracy", trainAcc, epoch + 1);
            WriteScalar($"{data.EvaluationName}/loss", evalLoss, epoch + 1);
            WriteScalar($"{data.EvaluationName}/accuracy", evalAcc, epoch + 1);
            if (data.Evaluation is not null)
            {
                var path = run.SamplePath(epoch + 1);
                WriteClassifierGrid(model, data.Evaluation, input, path);
                Emit("sample", ("epoch", epoch + 1), ("path", path));
            }
            if ((epoch + 1) % Math.Max(1, config.CheckpointEvery) == 0 || epoch + 1 == epochs)
            {
                SaveClassifierCheckpoint(model, optimizer, epoch + 1, 0, globalStep);
                Emit("checkpoint", ("epoch", epoch + 1), ("step", 0), ("globalStep", globalStep), ("path", run.Checkpoint));
            }
        }
        SaveModel(model);
        Emit("finished", ("status", "finished"), ("runDir", run.Path), ("epoch", epochs), ("globalStep", globalStep),
            ("loss", metrics.GetValueOrDefault("loss", double.NaN)), ("accuracy", metrics.GetValueOrDefault("accuracy", double.NaN)),
            ("model", Path.Combine(run.Path, RunFolder.ModelFile)));
        return new TrainResult("finished", run.Path, metrics);
    }

    /// <summary>
    /// One output per class. The checker compares them for data sets whose classes it knows; an `images`
    /// folder's classes are only known now — checked before `started`, instead of LibTorch's
    /// "Target 13 is out of bounds" in the first step.
    /// </summary>
    private void CheckClassCount(Annlsp.Language.Semantics.NetworkModel network, TensorDataSet train)
    {
        int classes = train.ClassNames.Count;
        if (!network.Output.IsVector || network.Output[0] == classes) return;
        var source = config.Data.Directory is { } dir ? $"{config.Data.Name}(\"{dir}\") ({Path.GetFullPath(dir)})" : config.Data.Name;
        var names = string.Join(", ", train.ClassNames.Take(6)) + (classes > 6 ? ", …" : "");
        var what = config.Data.Name == "images" ? "class folders" : "classes";
        throw new TrainingException($"{source} has {classes} {what} ({names}), but {network.Name} outputs {network.Output[0]} scores; " +
            $"make its last layer dense({classes}){(config.Data.Name == "images" ? $", or keep {network.Output[0]} class folders" : "")}");
    }

    private TrainResult NanFailure(int epoch, int step, double value)
    {
        var reason = $"the loss became {(double.IsNaN(value) ? "NaN" : "infinite")} at epoch {epoch + 1}, step {step + 1} — the learning rate ({config.Optimizer.LearningRate}) is probably too high";
        Emit("failed", ("reason", reason), ("runDir", run.Path), ("epoch", epoch + 1), ("step", step + 1));
        return new TrainResult("failed", run.Path, new Dictionary<string, double>(), reason);
    }

    private (double Loss, double Accuracy) Evaluate(AnnNetwork model, TensorDataSet data, InputStandardisation input)
    {
        model.eval();
        using var _ = no_grad();
        using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
        using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
        const int chunk = 256; // a dispose scope keeps every layer's output of a chunk alive until the chunk ends
        for (int start = 0; start < data.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(chunk, data.Count - start);
            var x = input.Apply(data.Images.narrow(0, start, count));
            var y = data.Labels.narrow(0, start, count);
            var logits = model.forward(x);
            lossSum.add_(F.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64));
            correct.add_(logits.argmax(1).eq(y).sum());
        }
        model.train();
        return (lossSum.item<double>() / data.Count, correct.item<long>() / (double)data.Count);
    }

    private void WriteClassifierGrid(AnnNetwork model, TensorDataSet data, InputStandardisation input, string path)
    {
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
    }

    private void SaveClassifierCheckpoint(AnnNetwork model, FlatOptimizer optimizer, int epoch, int stepInEpoch, long globalStep)
    {
        var tensors = model.state_dict().Select(kv => ("model." + kv.Key, kv.Value))
            .Concat(optimizer.State().Select(s => ("optim." + s.Name, s.Value)))
            .Append(("optim.step", tensor(optimizer.StepCount)));
        RunFolder.SaveCheckpoint(run.Checkpoint, tensors, CheckpointMeta(epoch, stepInEpoch, globalStep));
    }

    private JsonObject CheckpointMeta(int epoch, int stepInEpoch, long globalStep) => new()
    {
        ["target"] = config.DisplayName, ["kind"] = config.Kind.ToString().ToLowerInvariant(), ["seed"] = seed,
        ["epoch"] = epoch, ["stepInEpoch"] = stepInEpoch, ["globalStep"] = globalStep, ["written"] = DateTimeOffset.Now.ToString("O"),
        ["input"] = inputJson?.DeepClone(),
    };

    private void SaveModel(AnnNetwork model) => RunFolder.SaveModelPt(model, Path.Combine(run.Path, RunFolder.ModelFile));

    internal static void LoadModelState(nn.Module model, IReadOnlyDictionary<string, Tensor> state, string prefix)
    {
        var own = model.state_dict();
        using var _ = no_grad();
        foreach (var (key, value) in own)
        {
            if (!state.TryGetValue(prefix + key, out var saved))
                throw new TrainingException($"the checkpoint has no '{key}' — was the network changed since the run?");
            if (!saved.shape.SequenceEqual(value.shape))
                throw new TrainingException($"the checkpoint's '{key}' is {string.Join("×", saved.shape)} but the network's is {string.Join("×", value.shape)} — was the network changed since the run?");
            value.copy_(saved);
        }
    }
}
