using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using static TorchSharp.torch;

namespace Annlsp.Training.Scoring;

/// <summary>What `annlsp evaluate RUN` reports.</summary>
public sealed record RunEvaluation(string RunDir, string Target, string DataSet, int Epoch, SampleScores Scores, double ReferenceAccuracy, bool SourceChanged)
{
    public JsonObject ToJson() => new()
    {
        ["run"] = RunDir, ["target"] = Target, ["data"] = DataSet, ["epoch"] = Epoch,
        ["samples"] = Scores.Samples, ["fd"] = Scores.Fd, ["fd_real"] = Scores.RealVsRealFd, ["confident"] = Scores.Confident,
        ["coverage"] = Scores.Coverage, ["classes"] = Scores.Classes, ["referenceAccuracy"] = ReferenceAccuracy,
        ["seconds"] = Scores.Seconds, ["sourceChanged"] = SourceChanged,
    };
}

/// <summary>
/// Scores a GAN run folder's latest checkpoint as the trainer scores it after an epoch: the generator is
/// rebuilt from the run's .ann file (run.json's `source`), its weights come from checkpoint.safetensors,
/// and the samples come from the same seeded noise, so a run's last epoch and `evaluate` with the same
/// number of samples agree.
/// </summary>
public static class RunEvaluator
{
    public static RunEvaluation Evaluate(string runDir, int? samples = null, string device = "cpu", string? libTorch = null, string? cacheDir = null, Action? onTraining = null)
    {
        if (!Directory.Exists(runDir)) throw new TrainingException($"{runDir}: no such run folder");
        var run = RunFolder.Open(runDir);
        JsonObject runJson;
        try { runJson = run.ReadRunJson() ?? throw new TrainingException($"{run.Path} is not a run folder: it has no {RunFolder.RunFile}"); }
        catch (System.Text.Json.JsonException e) { throw new TrainingException($"{Path.Combine(run.Path, RunFolder.RunFile)} is not valid JSON: {e.Message}"); }
        var target = (string?)runJson["target"] ?? throw new TrainingException($"{RunFolder.RunFile} in {run.Path} names no target");
        if ((string?)runJson["kind"] != "gan")
            throw new TrainingException($"{run.Path} is a run of the classifier '{target}'; evaluate scores the samples of GAN runs (a classifier's test accuracy is in its {RunFolder.MetricsFile})");
        var source = (string?)runJson["source"];
        if (source is null || !File.Exists(source))
            throw new TrainingException($"the run's source file {source ?? "(none recorded)"} is gone; evaluate rebuilds the generator from it");
        var text = File.ReadAllText(source);
        var analysis = DocumentAnalysis.Analyze(text);
        if (analysis.HasErrors) throw new TrainingException($"{source} has errors; fix them before evaluating");
        var config = TrainingTargets.ResolveTrain(analysis, target);
        var generator = config.Gan?.Generator ?? throw new TrainingException($"'{target}' in {source} is no longer a GAN training");
        int count = samples ?? (config.ScoreSamples > 0 ? config.ScoreSamples : 1000);
        if (count < 2) throw new TrainingException("--samples must be at least 2");
        if (!File.Exists(run.Checkpoint)) throw new TrainingException($"{run.Path} has no checkpoint ({RunFolder.CheckpointFile}) to evaluate");

        var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = device, LibTorch = libTorch });
        Dictionary<string, Tensor> state;
        JsonObject meta;
        try { (state, meta) = RunFolder.LoadCheckpoint(run.Checkpoint); }
        catch (TrainingException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new TrainingException($"{run.Checkpoint} cannot be read: {e.Message.Split('\n')[0]}"); }
        using var g = ModelBuilder.Build(generator, runtime.Device);
        try { Trainer.LoadModelState(g, state, "generator."); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        int seed = (int?)meta["seed"] ?? 0;
        int epoch = (int?)meta["epoch"] ?? 0;

        var reference = ReferenceClassifier.Get(config.Data, new ReferenceOptions { CacheDir = cacheDir, Device = runtime.DeviceName, LibTorch = libTorch, OnTraining = onTraining });
        var noise = randn([count, generator.Input[0]], generator: new Generator((ulong)seed + GanScoring.NoiseSeedOffset)).to(runtime.Device);
        using var scoring = new GanScoring(reference, noise);
        var scores = scoring.Score(g);
        bool changed = (string?)runJson["sourceSha256"] is { } sha && sha != RunFolder.Sha256(text);
        return new RunEvaluation(run.Path, target, config.Data.Name, epoch, scores, reference.TestAccuracy, changed);
    }
}
