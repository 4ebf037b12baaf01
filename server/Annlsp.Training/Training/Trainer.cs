using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>How to run one `train` declaration (command-line overrides included).</summary>
public sealed record TrainOptions
{
    public required TrainConfig Config { get; init; }
    /// <summary>The .ann text that is trained (kept as source.ann in the run folder, its SHA-256 in run.json) and the
    /// file's path (relative paths and runs/ are taken from it; with `--stdin` the text need not be what is on disk).</summary>
    public string SourceText { get; init; } = "";
    public string? SourcePath { get; init; }
    /// <summary>Problems that do not stop the run (errors elsewhere in the file, `file(line,col): error CODE: message`): in run.json and the `started` event.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public int? Epochs { get; init; }
    public int? Limit { get; init; }
    public string? Device { get; init; }
    public string? LibTorch { get; init; }
    /// <summary>Root folder of runs (runs/&lt;target&gt;/&lt;stamp&gt; goes inside); default: `out` of the train block, else runs/ next to the file.</summary>
    public string? OutDir { get; init; }
    /// <summary>An existing run folder to continue from its checkpoint.</summary>
    public string? ResumeDir { get; init; }
    /// <summary>A `step` event every this many steps (0: about 20 per epoch).</summary>
    public int ProgressEvery { get; init; }
    public bool TensorBoard { get; init; } = true;
    /// <summary>The cache of reference classifiers that score GAN samples (null: ReferenceOptions.DefaultCacheDir()).</summary>
    public string? ScoreCacheDir { get; init; }
    public ITrainingObserver? Observer { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a run ended with.</summary>
public sealed record TrainResult(string Status, string RunDir, IReadOnlyDictionary<string, double> Metrics, string? Reason = null)
{
    public bool Succeeded => Status is "finished" or "stopped";
}

/// <summary>
/// Trains a `train` declaration (see docs/training.md) and writes the run folder: the one training loop — epochs,
/// steps, the learning-rate schedule, evaluation, previews, checkpoints, events, stop, NaN and resume — around a
/// target kind (<see cref="ITargetKind"/>: a classifier, a GAN) that trains one batch and says what it measured.
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainOptions options;
    private readonly TrainConfig config;
    private RunFolder run = null!;
    private TorchRuntimeInfo runtime = null!;
    private Device device = null!;
    private SummaryWriter? tensorboard;
    private int seed;
    private int epochs;
    private int progressEvery;

    private Trainer(TrainOptions options)
    {
        this.options = options;
        config = options.Config;
    }

    internal TrainConfig Config => config;
    internal TrainOptions Options => options;
    internal Device Device => device;
    internal int Seed => seed;

    private BatchAugmentation augmentation = BatchAugmentation.None;

    /// <summary>The raw images of step <paramref name="globalStep"/>'s batch flipped and shifted as `random_flip` and `random_shift` ask; each of a pair gets the same draws.</summary>
    internal Tensor[] Augment(long globalStep, params Tensor[] images) => augmentation.Apply(images, globalStep);

    /// <summary>Runs the training. Reports `failed` (and returns it) instead of throwing for user-facing problems.</summary>
    public static TrainResult Run(TrainOptions options) => new Trainer(options).RunCore();

    /// <summary>The one place a target kind is chosen: pix2pix and diffusion plug in here.</summary>
    private ITargetKind CreateTargetKind(JsonObject? resumeMeta) => config.Kind switch
    {
        TrainKind.Gan => new GanTarget(this),
        TrainKind.Pix2Pix => new Pix2PixTarget(this),
        TrainKind.Diffusion => new DiffusionTarget(this),
        _ => new ClassifierTarget(this, resumeMeta),
    };

    internal void Emit(ProgressEvent e)
    {
        if (e is StepEvent or EpochEvent && run is not null) run.AppendMetrics(e);
        options.Observer?.OnEvent(e);
    }

    private TrainResult Fail(string reason)
    {
        Emit(new FailedEvent { Reason = reason, RunDir = run?.Path });
        return new TrainResult("failed", run?.Path ?? "", new Dictionary<string, double>(), reason);
    }

    private TrainResult RunCore()
    {
        try
        {
            runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = options.Device ?? config.Device, LibTorch = options.LibTorch, Workspace = RealPaths.Workspace(options.SourcePath) });
            device = runtime.Device;
            epochs = options.Epochs ?? config.Epochs;
            JsonObject? resumeMeta = null;
            Dictionary<string, Tensor>? resumeState = null;
            if (options.ResumeDir is not null)
            {
                run = RunFolder.Open(options.ResumeDir);
                (resumeState, resumeMeta) = RunFolder.LoadCheckpoint(run.Checkpoint);
                var target = (string?)resumeMeta["target"];
                if (target != config.DisplayName)
                    throw new TrainingException($"{run.Path} is a run of '{target}', not of '{config.DisplayName}'");
                seed = (int)resumeMeta["seed"]!;
                run.RefuseLinks();
                run.RemoveTemporaryFiles();
                if ((int)resumeMeta["epoch"]! >= epochs) return AlreadyFinished((int)resumeMeta["epoch"]!, (long)resumeMeta["globalStep"]!);
                run.TruncateMetrics((long)resumeMeta["globalStep"]!);
            }
            else
            {
                seed = config.Seed ?? Random.Shared.Next(1, int.MaxValue);
                run = CreateRunFolder();
                run.WriteSource(options.SourceText);
            }
            if (options.TensorBoard)
            {
                try { tensorboard = torch.utils.tensorboard.SummaryWriter(run.TensorBoardDir, createRunName: false); }
                catch (Exception) { tensorboard = null; }
            }
            torch.manual_seed(seed);
            using var kind = CreateTargetKind(resumeMeta);
            return Train(kind, resumeState, resumeMeta);
        }
        catch (TrainingException e) { return Fail(e.Message); }
        catch (ModelShapeMismatchException e) { return Fail(e.Message); }
        catch (Exception e) when (e is not OutOfMemoryException and not StackOverflowException)
        {
            // LibTorch errors (out of device memory, a bad CUDA setup …) end the run with a reason, not a crash.
            return Fail($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        finally
        {
            tensorboard = null;
        }
    }

    /// <summary>The loop. Every epoch reshuffles with the seed and the epoch, so a resumed run draws the same batches.</summary>
    private TrainResult Train(ITargetKind kind, Dictionary<string, Tensor>? resume, JsonObject? resumeMeta)
    {
        int startEpoch = 0, startStep = 0;
        long globalStep = 0;
        if (resume is not null && resumeMeta is not null)
        {
            kind.LoadCheckpoint(resume);
            (startEpoch, startStep, globalStep) = ((int)resumeMeta["epoch"]!, (int)resumeMeta["stepInEpoch"]!, (long)resumeMeta["globalStep"]!);
        }
        else run.WriteRunJson(RunJson(kind));

        augmentation = new BatchAugmentation(config.RandomFlip, config.RandomShift, seed);
        int n = kind.Data.Train.Count;
        int steps = StepsPerEpoch(n);
        long totalSteps = (long)steps * epochs;
        progressEvery = options.ProgressEvery > 0 ? options.ProgressEvery : Math.Max(1, steps / 20);
        Emit(new StartedEvent
        {
            Target = config.DisplayName, TargetKind = kind.Name, Device = runtime.DeviceName, LibTorch = runtime.LibTorchSource, LibTorchDir = runtime.LibTorchDir,
            RunDir = run.Path, Epochs = epochs, StepsPerEpoch = steps, Train = n, Evaluation = kind.Data.Evaluation?.Count,
            ResumedFrom = resume is null ? null : globalStep, Seed = seed, Warnings = options.Warnings,
        });
        kind.BeforeTraining();

        var metrics = new Dictionary<string, double>();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            kind.BeginEpoch();
            torch.manual_seed(seed + 7919L * (epoch + 1)); // dropout and noise per epoch, so a resumed run matches
            using var perm = Permutation(n, seed, epoch, device);
            long seen = 0;
            var clock = Stopwatch.StartNew();
            for (int step = epoch == startEpoch ? startStep : 0; step < steps; step++)
            {
                var (start, count) = BatchRange(step, n);
                double lr = LearningRateSchedule.At(config.Schedule, config.Optimizer.LearningRate, globalStep, totalSteps); // a host scalar: no sync
                double[]? report;
                using (var scope = NewDisposeScope())
                {
                    bool wanted = (globalStep + 1) % progressEvery == 0 || step == steps - 1;
                    report = kind.TrainBatch(perm.narrow(0, start, count), count, globalStep, lr, wanted);
                    seen += count;
                    globalStep++;
                }
                if (report is not null)
                {
                    if (report.Any(Bad)) return NanFailure(epoch, step, report.First(Bad));
                    Emit(kind.StepMetrics(new StepEvent
                    {
                        Epoch = epoch + 1, Step = step + 1, Steps = steps, GlobalStep = globalStep, Lr = lr,
                        ImagesPerSecond = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds),
                    }, report));
                }
                if (options.Cancellation.IsCancellationRequested)
                {
                    SaveCheckpoint(kind, epoch, step + 1, globalStep);
                    kind.SaveModels(run.Path);
                    var stopped = kind.Stopped(Ended("stopped", epoch + 1, globalStep), seen, metrics);
                    Emit(stopped);
                    return new TrainResult("stopped", run.Path, metrics);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var (trained, diverged) = kind.EpochTraining(seen);
            if (diverged is double bad) return NanFailure(epoch, steps - 1, bad);
            metrics = trained;
            metrics["seconds"] = seconds;
            metrics["imagesPerSecond"] = seen / Math.Max(1e-9, seconds);
            Emit(kind.Evaluate(epoch + 1, metrics, new EpochEvent
            {
                Epoch = epoch + 1, Epochs = epochs, GlobalStep = globalStep, Seconds = seconds, ImagesPerSecond = metrics["imagesPerSecond"],
            }));
            var path = run.SamplePath(epoch + 1);
            if (kind.WritePreview(path)) Emit(new SampleEvent { Epoch = epoch + 1, Path = path, Trajectory = kind.TrajectoryPath });
            if ((epoch + 1) % Math.Max(1, config.CheckpointEvery) == 0 || epoch + 1 == epochs)
                SaveCheckpoint(kind, epoch + 1, 0, globalStep);
        }
        kind.SaveModels(run.Path);
        Emit(kind.Finished(Ended("finished", epochs, globalStep), metrics));
        return new TrainResult("finished", run.Path, metrics);
    }

    private FinishedEvent Ended(string status, int epoch, long globalStep) =>
        new() { Status = status, RunDir = run.Path, Epoch = epoch, GlobalStep = globalStep, Model = Path.Combine(run.Path, RunFolder.ModelFile) };

    private TrainResult NanFailure(int epoch, int step, double value)
    {
        var reason = $"the loss became {(double.IsNaN(value) ? "NaN" : "infinite")} at epoch {epoch + 1}, step {step + 1} — the learning rate ({config.Optimizer.LearningRate}) is probably too high";
        Emit(new FailedEvent { Reason = reason, RunDir = run.Path, Epoch = epoch + 1, Step = step + 1 });
        return new TrainResult("failed", run.Path, new Dictionary<string, double>(), reason);
    }

    /// <summary>The checkpoint (the kind's tensors, the loop's position) and its `checkpoint` event.</summary>
    private void SaveCheckpoint(ITargetKind kind, int epoch, int stepInEpoch, long globalStep)
    {
        var meta = new JsonObject
        {
            ["target"] = config.DisplayName, ["kind"] = kind.Name, ["seed"] = seed,
            ["epoch"] = epoch, ["stepInEpoch"] = stepInEpoch, ["globalStep"] = globalStep, ["written"] = DateTimeOffset.Now.ToString("O"),
            ["input"] = kind.CheckpointInput?.DeepClone(),
        };
        RunFolder.SaveCheckpoint(run.Checkpoint, kind.CheckpointTensors(), meta);
        Emit(new CheckpointEvent { Epoch = epoch, Step = stepInEpoch, GlobalStep = globalStep, Path = run.Checkpoint });
    }

    /// <summary>
    /// A resume of a run that has trained all its epochs: nothing is trained or rewritten. `finished` with
    /// `alreadyFinished: true` and the last epoch's metrics from metrics.jsonl (not a NaN of an empty loop).
    /// </summary>
    private TrainResult AlreadyFinished(int epochsDone, long globalStep)
    {
        var last = run.ReadEvents().OfType<EpochEvent>().LastOrDefault();
        var message = $"{run.Path} has already finished: it trained {epochsDone} epochs and {epochs} are asked for; nothing to do (pass --epochs N with N > {epochsDone} to train further)";
        var finished = (Ended("finished", epochsDone, globalStep) with { AlreadyFinished = true, Message = message }).WithMetricsOf(last);
        var metrics = new Dictionary<string, double>();
        foreach (var (key, value) in new[] { ("loss", finished.Loss), ("accuracy", finished.Accuracy), ("loss_g", finished.LossG), ("loss_d", finished.LossD) })
            if (value is double v) metrics[key] = v;
        Emit(finished);
        return new TrainResult("finished", run.Path, metrics, message);
    }

    /// <summary>
    /// `--out DIR` is the user's own choice and goes where it says. `out:` (default `runs`) is relative to the
    /// .ann file's folder and must really stay inside it: the checker rejects `..` and absolute paths
    /// (ANN4002), and here every existing component's links are resolved before deciding.
    /// </summary>
    private RunFolder CreateRunFolder()
    {
        var target = config.DisplayName.Replace(" as ", "-");
        if (options.OutDir is not null) return RunFolder.Create(options.OutDir, target, DateTime.Now);
        var fileDir = Path.GetDirectoryName(Path.GetFullPath(options.SourcePath ?? "x")) ?? ".";
        var relative = config.Out ?? "runs";
        return RunFolder.Create(Path.Combine(fileDir, relative), target, DateTime.Now, RealPaths.Resolve(fileDir), $"\"{relative}\"");
    }

    private JsonObject RunJson(ITargetKind kind)
    {
        var data = kind.Data;
        var described = kind.Describe();
        var o = new JsonObject
        {
            ["target"] = config.DisplayName,
            ["kind"] = kind.Name,
            ["source"] = options.SourcePath is null ? null : Path.GetFullPath(options.SourcePath),
            ["sourceSha256"] = RunFolder.Sha256(options.SourceText),
            ["warnings"] = new JsonArray(options.Warnings.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray()),
            ["started"] = DateTimeOffset.Now.ToString("O"),
            ["device"] = runtime.DeviceName,
            ["libtorch"] = runtime.LibTorchSource,
            ["libtorchDir"] = runtime.LibTorchDir,
            ["seed"] = seed,
            ["epochs"] = epochs,
            ["batch"] = config.Batch,
            ["limit"] = options.Limit,
            ["optimizer"] = new JsonObject
            {
                ["name"] = config.Optimizer.Name, ["lr"] = config.Optimizer.LearningRate, ["beta1"] = config.Optimizer.Beta1,
                ["beta2"] = config.Optimizer.Beta2, ["weight_decay"] = config.Optimizer.WeightDecay,
                ["momentum"] = config.Optimizer.Momentum, ["nesterov"] = config.Optimizer.Nesterov,
            },
            ["schedule"] = config.Schedule,
            ["loss"] = described.Loss,
            ["label_smoothing"] = described.LabelSmoothing,
            ["random_flip"] = config.RandomFlip,
            ["random_shift"] = config.RandomShift,
            ["data"] = new JsonObject
            {
                ["name"] = config.Data.Name, ["directory"] = config.Data.Directory, ["description"] = data.Train.Description,
                ["train"] = data.Train.Count, ["evaluation"] = data.Evaluation?.Count, ["evaluationSet"] = data.EvaluationName,
                ["classes"] = new JsonArray(data.Train.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["normalisation"] = described.Normalisation,
            },
            ["preview"] = $"{config.Preview.H}x{config.Preview.W}",
            ["checkpointEvery"] = config.CheckpointEvery,
            ["networks"] = described.Networks,
            ["versions"] = new JsonObject
            {
                ["annlsp"] = typeof(Trainer).Assembly.GetName().Version?.ToString(),
                ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
                ["libtorch"] = torch.__version__,
                ["dotnet"] = Environment.Version.ToString(),
            },
        };
        return o;
    }

    internal static JsonObject NetworkJson(NetworkModel n, AnnNetwork m) => new()
    {
        ["name"] = n.Name,
        ["input"] = n.Input.ToString(),
        ["output"] = n.Output.ToString(),
        ["parameters"] = m.parameters().Sum(p => p.numel()),
        ["trailingActivation"] = m.TrailingActivation,
    };

    private int StepsPerEpoch(int count) => Math.Max(1, count / config.Batch + (count % config.Batch >= 2 ? 1 : 0));

    private (int Start, int Count) BatchRange(int step, int count)
    {
        int start = step * config.Batch;
        return (start, Math.Min(config.Batch, count - start));
    }

    private static Tensor Permutation(int count, int seed, int epoch, Device device)
    {
        var gen = new Generator((ulong)(seed * 1_000_003L + epoch));
        var perm = randperm(count, generator: gen);
        return device.type == DeviceType.CPU ? perm : perm.to(device);
    }

    internal void WriteScalar(string tag, double value, int step)
    {
        try { tensorboard?.add_scalar(tag, (float)value, step); } catch (Exception) { tensorboard = null; }
    }

    internal static bool Bad(double v) => double.IsNaN(v) || double.IsInfinity(v);

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
