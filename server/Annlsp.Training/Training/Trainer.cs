using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
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

/// <summary>Trains classifiers and GANs (see docs/training.md) and writes the run folder.</summary>
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
    /// <summary>A classifier's input standardisation as recorded in run.json and checkpoints (null for GANs).</summary>
    private JsonObject? inputJson;

    private Trainer(TrainOptions options)
    {
        this.options = options;
        config = options.Config;
    }

    /// <summary>Runs the training. Reports `failed` (and returns it) instead of throwing for user-facing problems.</summary>
    public static TrainResult Run(TrainOptions options) => new Trainer(options).RunCore();

    private void Emit(string kind, params (string Key, object? Value)[] fields)
    {
        var e = new TrainingEvent(kind, fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        if (kind is "step" or "epoch" && run is not null) run.AppendMetrics(e);
        options.Observer?.OnEvent(e);
    }

    private TrainResult Fail(string reason)
    {
        Emit("failed", ("reason", reason), ("runDir", run?.Path));
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
            return config.Kind == TrainKind.Gan ? RunGan(resumeState, resumeMeta) : RunClassifier(resumeState, resumeMeta);
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

    /// <summary>
    /// A resume of a run that has trained all its epochs: nothing is trained or rewritten. `finished` with
    /// `alreadyFinished: true` and the last epoch's metrics from metrics.jsonl (not a NaN of an empty loop).
    /// </summary>
    private TrainResult AlreadyFinished(int epochsDone, long globalStep)
    {
        var last = run.ReadMetrics().LastOrDefault(o => (string?)o["event"] == "epoch");
        var metrics = new Dictionary<string, double>();
        var fields = new List<(string, object?)>
        {
            ("status", "finished"), ("alreadyFinished", true), ("runDir", run.Path), ("epoch", epochsDone), ("globalStep", globalStep),
        };
        foreach (var key in config.Kind == TrainKind.Gan ? new[] { "loss_g", "loss_d" } : ["loss", "accuracy"])
        {
            double? value = last?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
            if (value is double x) metrics[key] = x;
            fields.Add((key, value));
        }
        var message = $"{run.Path} has already finished: it trained {epochsDone} epochs and {epochs} are asked for; nothing to do (pass --epochs N with N > {epochsDone} to train further)";
        fields.Add(("message", message));
        fields.Add(("model", Path.Combine(run.Path, RunFolder.ModelFile)));
        Emit("finished", fields.ToArray());
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

    private JsonObject RunJson(string kind, DataSplit data, JsonObject networks)
    {
        var o = new JsonObject
        {
            ["target"] = config.DisplayName,
            ["kind"] = kind,
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
            ["loss"] = config.Kind == TrainKind.Gan ? "bce_with_logits" : "cross_entropy (on logits)",
            ["label_smoothing"] = config.Kind == TrainKind.Gan ? null : config.LabelSmoothing,
            ["data"] = new JsonObject
            {
                ["name"] = config.Data.Name, ["directory"] = config.Data.Directory, ["description"] = data.Train.Description,
                ["train"] = data.Train.Count, ["evaluation"] = data.Evaluation?.Count, ["evaluationSet"] = data.EvaluationName,
                ["classes"] = new JsonArray(data.Train.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["normalisation"] = config.Kind == TrainKind.Gan ? "[-1, 1]" : inputJson?.DeepClone(),
            },
            ["preview"] = $"{config.Preview.H}x{config.Preview.W}",
            ["checkpointEvery"] = config.CheckpointEvery,
            ["networks"] = networks,
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

    private static JsonObject NetworkJson(NetworkModel n, AnnNetwork m) => new()
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

    private void WriteScalar(string tag, double value, int step)
    {
        try { tensorboard?.add_scalar(tag, (float)value, step); } catch (Exception) { tensorboard = null; }
    }

    private static bool Bad(double v) => double.IsNaN(v) || double.IsInfinity(v);

    private static void DcganInit(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d c: nn.init.normal_(c.weight!, 0, 0.02); if (c.bias is not null) nn.init.zeros_(c.bias); break;
                case ConvTranspose2d c: nn.init.normal_(c.weight!, 0, 0.02); if (c.bias is not null) nn.init.zeros_(c.bias); break;
                case BatchNorm2d b: nn.init.normal_(b.weight!, 1, 0.02); nn.init.zeros_(b.bias!); break;
                case BatchNorm1d b: nn.init.normal_(b.weight!, 1, 0.02); nn.init.zeros_(b.bias!); break;
            }
        }
    }
}
