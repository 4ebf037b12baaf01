using System.Globalization;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using static TorchSharp.torch;

namespace Annlsp.Training.Scoring;

/// <summary>A conditional gan's held-out figures: mean L1 and PSNR of its translations, and of the input itself as the answer.</summary>
public sealed record TranslationScores(double L1, double Psnr, double L1Input, double PsnrInput, int Pairs, double Seconds)
{
    /// <summary>"L1 0.062 · PSNR 20.3 dB (the input as the answer: L1 0.349 · 6.2 dB)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"L1 {L1:0.000} · PSNR {Psnr:0.0} dB (the input as the answer: L1 {L1Input:0.000} · {PsnrInput:0.0} dB)");
}

/// <summary>What `annlsp evaluate RUN` reports: sample scores for a gan or a diffusion model; held-out L1/PSNR for a conditional gan, and the scores of its translations when the targets have classes.</summary>
public sealed record RunEvaluation(string RunDir, string Target, string Kind, string DataSet, int Epoch, SampleScores? Scores,
    double? ReferenceAccuracy, TranslationScores? Translation, string? Sampler, bool SourceChanged)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["run"] = RunDir, ["target"] = Target, ["kind"] = Kind, ["data"] = DataSet, ["epoch"] = Epoch };
        if (Scores is { } s)
        {
            json["samples"] = s.Samples; json["fd"] = s.Fd; json["fd_real"] = s.RealVsRealFd; json["confident"] = s.Confident;
            json["coverage"] = s.Coverage; json["classes"] = s.Classes; json["referenceAccuracy"] = ReferenceAccuracy;
            json["perClass"] = new JsonArray(s.PerClass.Select(c => (JsonNode)new JsonObject { ["class"] = c.Name, ["drawn"] = c.Drawn, ["confident"] = c.Confident }).ToArray());
            // a pix2pix run's `seconds` is its translation's; the scoring of those translations has its own
            json[Translation is null ? "seconds" : "scoreSeconds"] = s.Seconds;
        }
        if (Sampler is not null) json["sampler"] = Sampler;
        if (Translation is { } t)
        {
            json["pairs"] = t.Pairs; json["l1"] = t.L1; json["psnr"] = t.Psnr; json["l1_input"] = t.L1Input; json["psnr_input"] = t.PsnrInput;
            json["seconds"] = t.Seconds;
        }
        json["sourceChanged"] = SourceChanged;
        return json;
    }
}

/// <summary>
/// Measures a run folder's latest checkpoint as the trainer measures it after an epoch. The networks are rebuilt from the
/// exact text the run trained (source.ann in the run folder; run.json's `source` for runs that predate it) and their
/// weights come from checkpoint.safetensors. A gan's generator and a diffusion model's EMA denoiser draw from the same
/// seeded noise as the run's scoring, so a run's last epoch and `evaluate` with the same number of samples agree; a
/// conditional gan (pix2pix) is measured on the same held-out pairs.
/// </summary>
public static class RunEvaluator
{
    public static RunEvaluation Evaluate(string runDir, int? samples = null, string device = "cpu", string? libTorch = null, string? cacheDir = null,
        Action? onTraining = null, DiffusionSampler? sampler = null)
    {
        if (!Directory.Exists(runDir)) throw new TrainingException($"{runDir}: no such run folder");
        var run = RunFolder.Open(runDir);
        JsonObject runJson;
        try { runJson = run.ReadRunJson() ?? throw new TrainingException($"{run.Path} is not a run folder: it has no {RunFolder.RunFile}"); }
        catch (System.Text.Json.JsonException e) { throw new TrainingException($"{Path.Combine(run.Path, RunFolder.RunFile)} is not valid JSON: {e.Message}"); }
        var target = (string?)runJson["target"] ?? throw new TrainingException($"{RunFolder.RunFile} in {run.Path} names no target");
        var kind = (string?)runJson["kind"];
        if (kind is not ("gan" or "pix2pix" or "diffusion"))
            throw new TrainingException($"{run.Path} is a run of the classifier '{target}'; evaluate measures gan, pix2pix and diffusion runs (a classifier's test accuracy is in its {RunFolder.MetricsFile})");
        var (text, source, changed) = TrainedSource(run, runJson);
        var analysis = DocumentAnalysis.Analyze(text);
        if (analysis.HasErrors) throw new TrainingException($"{source} has errors; fix them before evaluating");
        var config = TrainingTargets.ResolveTrain(analysis, target);
        if (sampler is not null && kind != "diffusion") throw new TrainingException($"--sampler is for diffusion runs; '{target}' is a {kind} run");
        int count = samples ?? (config.ScoreSamples > 0 ? config.ScoreSamples : 1000);
        if (count < 2) throw new TrainingException("--samples must be at least 2");
        if (!File.Exists(run.Checkpoint)) throw new TrainingException($"{run.Path} has no checkpoint ({RunFolder.CheckpointFile}) to evaluate");

        var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = device, LibTorch = libTorch });
        Dictionary<string, Tensor> state;
        JsonObject meta;
        try { (state, meta) = RunFolder.LoadCheckpoint(run.Checkpoint); }
        catch (TrainingException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new TrainingException($"{run.Checkpoint} cannot be read: {e.Message.Split('\n')[0]}"); }
        int seed = (int?)meta["seed"] ?? 0;
        int epoch = (int?)meta["epoch"] ?? 0;
        try
        {
            switch (kind)
            {
                case "pix2pix":
                {
                    // edges of a labelled data set: its translations are scored too, as the run scored them
                    using var reference = config.Data.Source is not null ? Reference(config.Data, cacheDir, runtime, libTorch, onTraining) : null;
                    var (translation, scores) = Translation(config, target, state, runtime.Device, seed, (int?)runJson["limit"], reference, count);
                    return new RunEvaluation(run.Path, target, kind, config.Data.Display, epoch, scores, reference?.TestAccuracy, translation, null, changed);
                }
                case "diffusion":
                {
                    var diffusion = config.Diffusion ?? throw new TrainingException($"'{target}' in {source} is no longer a diffusion training");
                    var chosen = sampler ?? diffusion.Sampler;
                    if (chosen.IsDdim && chosen.Steps > diffusion.Schedule.Steps)
                        throw new TrainingException($"{chosen} takes more steps than the diffusion's {diffusion.Schedule.Steps}");
                    var denoiser = diffusion.Denoiser ?? throw new TrainingException($"diffusion {diffusion.Name} has no valid denoiser");
                    using var ema = ModelBuilder.Build(denoiser, runtime.Device, verify: false);
                    Trainer.LoadModelState(ema, state, "ema.");
                    CopyBuffers(ema, state, "model.");
                    ema.eval();
                    using var process = new DiffusionProcess(diffusion, runtime.Device);
                    using var reference = Reference(config.Data, cacheDir, runtime, libTorch, onTraining);
                    using var noise = randn([count, .. denoiser.Input.Dims], generator: new Generator((ulong)seed + GanScoring.NoiseSeedOffset)).to(runtime.Device);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    SampleScores scores;
                    using (no_grad())
                    using (NewDisposeScope())
                        scores = reference.Score(process.SampleInChunks(ema, noise, chosen, seed));
                    return new RunEvaluation(run.Path, target, kind, config.Data.Display, epoch, scores with { Seconds = clock.Elapsed.TotalSeconds },
                        reference.TestAccuracy, null, chosen.ToString(), changed);
                }
                default:
                {
                    var generator = config.Gan?.Generator ?? throw new TrainingException($"'{target}' in {source} is no longer a GAN training");
                    using var g = ModelBuilder.Build(generator, runtime.Device);
                    Trainer.LoadModelState(g, state, "generator.");
                    var reference = Reference(config.Data, cacheDir, runtime, libTorch, onTraining);
                    var noise = randn([count, generator.Input[0]], generator: new Generator((ulong)seed + GanScoring.NoiseSeedOffset)).to(runtime.Device);
                    using var scoring = new GanScoring(reference, noise);
                    var scores = scoring.Score(g);
                    return new RunEvaluation(run.Path, target, kind, config.Data.Display, epoch, scores, reference.TestAccuracy, null, null, changed);
                }
            }
        }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>The text the run trained, where it came from, and whether the original .ann file has changed since.</summary>
    private static (string Text, string Source, bool Changed) TrainedSource(RunFolder run, JsonObject runJson)
    {
        var original = (string?)runJson["source"];
        var sha = (string?)runJson["sourceSha256"];
        var copy = Path.Combine(run.Path, RunFolder.SourceFile);
        if (File.Exists(copy))
        {
            var text = File.ReadAllText(copy);
            bool changed = original is not null && File.Exists(original) && RunFolder.Sha256(File.ReadAllText(original)) != RunFolder.Sha256(text);
            return (text, copy, changed);
        }
        if (original is null || !File.Exists(original))
            throw new TrainingException($"the run's source file {original ?? "(none recorded)"} is gone and the run folder has no {RunFolder.SourceFile}; evaluate rebuilds the networks from it");
        var current = File.ReadAllText(original);
        return (current, original, sha is not null && sha != RunFolder.Sha256(current));
    }

    private static ReferenceClassifier Reference(DataSetRef data, string? cacheDir, TorchRuntimeInfo runtime, string? libTorch, Action? onTraining) =>
        ReferenceClassifier.Get(data, new ReferenceOptions { CacheDir = cacheDir, Device = runtime.DeviceName, LibTorch = libTorch, OnTraining = onTraining });

    /// <summary>Normalisation statistics are not averaged: the EMA network uses the trained network's (as the trainer does).</summary>
    private static void CopyBuffers(AnnNetwork ema, IReadOnlyDictionary<string, Tensor> state, string prefix)
    {
        using var _ = no_grad();
        foreach (var (name, buffer) in ema.named_buffers())
            if (state.TryGetValue(prefix + name, out var trained) && trained.shape.SequenceEqual(buffer.shape)) buffer.copy_(trained);
    }

    /// <summary>The held-out pairs the run measured after each epoch (same data set, seed and limit), translated by the checkpoint's generator.</summary>
    private static (TranslationScores Translation, SampleScores? Scores) Translation(TrainConfig config, string target, IReadOnlyDictionary<string, Tensor> state,
        Device device, int seed, int? limit, ReferenceClassifier? reference, int samples)
    {
        var generator = config.Gan?.Generator ?? throw new TrainingException($"'{target}' is no longer a gan training");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var g = ModelBuilder.Build(generator, device);
        Trainer.LoadModelState(g, state, "generator.");
        using var data = DataSets.Load(new DataRequest { Data = config.Data, Limit = limit, Seed = seed, ValidateFraction = config.ValidateFraction });
        var held = data.Evaluation ?? throw new TrainingException($"{config.Data.Display} has no held-out pairs");
        if (held.Inputs is null) throw new TrainingException($"{config.Data.Display} is not a paired data set");
        held.To(device);
        var (l1, psnr, l1Input, psnrInput) = Pix2PixTarget.Measure(g, held, Pix2PixTarget.EvaluationPairs);
        var translation = new TranslationScores(l1, psnr, l1Input, psnrInput, Math.Min(Pix2PixTarget.EvaluationPairs, held.Count), clock.Elapsed.TotalSeconds);
        return (translation, reference is null ? null : Pix2PixTarget.Score(g, reference, held, samples));
    }
}
