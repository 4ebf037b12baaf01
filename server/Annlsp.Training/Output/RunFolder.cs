using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annlsp.Progress;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Output;

/// <summary>
/// runs/&lt;target&gt;/&lt;yyyyMMdd-HHmmss&gt;/ — run.json, source.ann, metrics.jsonl, samples/epoch-NNN.png,
/// checkpoint.safetensors (atomic: temp file + rename), model.pt (PyTorch state dict), tensorboard/.
/// </summary>
public sealed class RunFolder
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string MetricsFile = "metrics.jsonl";
    public const string RunFile = "run.json";
    public const string ModelFile = "model.pt";
    public const string SourceFile = "source.ann";
    /// <summary>
    /// The checkpoint format, in its meta's "format". 2: module keys are the graph nodes' keys
    /// (NetworkGraph). Format 1 (no "format" entry) had the same keys for every network it could hold, so
    /// it still loads; a newer format than this is refused with both versions named.
    /// </summary>
    public const int CheckpointFormat = 2;
    public const int OldestCheckpointFormat = 1;

    private RunFolder(string path) { Path = path; }

    public string Path { get; }
    public string SamplesDir => System.IO.Path.Combine(Path, "samples");
    public string Checkpoint => System.IO.Path.Combine(Path, CheckpointFile);
    public string Metrics => System.IO.Path.Combine(Path, MetricsFile);
    public string TensorBoardDir => System.IO.Path.Combine(Path, "tensorboard");

    /// <summary>
    /// A new folder &lt;root&gt;/&lt;target&gt;/&lt;yyyyMMdd-HHmmss&gt;[-N], at its real path (symbolic links resolved).
    /// With <paramref name="mustStayInside"/> (a real folder), a folder that would really lie outside it —
    /// through a link anywhere on the way — is refused before anything is created.
    /// </summary>
    public static RunFolder Create(string root, string targetName, DateTime now, string? mustStayInside = null, string? describeRoot = null)
    {
        var safe = string.Concat(targetName.Select(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '.' ? ch : '-'));
        var baseDir = RealPaths.Resolve(System.IO.Path.Combine(System.IO.Path.GetFullPath(root), safe));
        if (mustStayInside is not null && !RealPaths.IsInside(baseDir, mustStayInside))
            throw new TrainingException($"the run folder {describeRoot ?? root} resolves to {baseDir} (following symbolic links), outside {mustStayInside}, the .ann file's folder; " +
                "runs must stay inside it: point `out:` at a real folder there (or give --out DIR on the command line)");
        var stamp = now.ToString("yyyyMMdd-HHmmss");
        var dir = System.IO.Path.Combine(baseDir, stamp);
        for (int i = 2; Directory.Exists(dir); i++) dir = System.IO.Path.Combine(baseDir, $"{stamp}-{i}");
        Directory.CreateDirectory(dir);
        Directory.CreateDirectory(System.IO.Path.Combine(dir, "samples"));
        return new RunFolder(dir);
    }

    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new TrainingException($"run folder {path} does not exist");
        return new RunFolder(System.IO.Path.GetFullPath(path));
    }

    public string SamplePath(int epoch) => System.IO.Path.Combine(SamplesDir, $"epoch-{epoch:D3}.png");

    /// <summary>samples/trajectory-NNN.png beside a preview samples/epoch-NNN.png: a diffusion model's denoising trajectory.</summary>
    public static string TrajectoryPathFor(string previewPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(previewPath) ?? ".", System.IO.Path.GetFileName(previewPath).Replace("epoch-", "trajectory-"));

    public void WriteRunJson(JsonObject run) => WriteAtomic(System.IO.Path.Combine(Path, RunFile), Encoding.UTF8.GetBytes(run.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));

    /// <summary>The exact text trained, as UTF-8 without a BOM: its SHA-256 is run.json's sourceSha256.</summary>
    public void WriteSource(string text) => WriteAtomic(System.IO.Path.Combine(Path, SourceFile), Encoding.UTF8.GetBytes(text));

    public JsonObject? ReadRunJson()
    {
        var p = System.IO.Path.Combine(Path, RunFile);
        return File.Exists(p) ? JsonNode.Parse(File.ReadAllText(p)) as JsonObject : null;
    }

    public void AppendMetrics(ProgressEvent e) => File.AppendAllText(Metrics, ProgressJson.Write(e) + "\n");

    /// <summary>The metrics lines as events (a line cut by a kill, or not an event, is left out).</summary>
    public List<ProgressEvent> ReadEvents() => File.Exists(Metrics) ? File.ReadLines(Metrics).Select(ProgressJson.Read).OfType<ProgressEvent>().ToList() : [];

    /// <summary>The metrics lines (step and epoch events) that parse, in order; a line cut by a kill is left out.</summary>
    public List<JsonObject> ReadMetrics()
    {
        var lines = new List<JsonObject>();
        if (!File.Exists(Metrics)) return lines;
        foreach (var line in File.ReadLines(Metrics))
        {
            try { if (JsonNode.Parse(line) is JsonObject o) lines.Add(o); }
            catch (JsonException) { }
        }
        return lines;
    }

    /// <summary>
    /// Before a resume: keeps the metrics lines up to the checkpoint's global step. The steps after it were
    /// trained by the killed process and are trained again; their lines would repeat (and an epoch twice).
    /// </summary>
    public void TruncateMetrics(long globalStep)
    {
        if (!File.Exists(Metrics)) return;
        var kept = ReadMetrics().Where(o => o["globalStep"] is JsonValue v && v.TryGetValue<long>(out var g) && g <= globalStep);
        WriteAtomic(Metrics, Encoding.UTF8.GetBytes(string.Concat(kept.Select(o => o.ToJsonString() + "\n"))));
    }

    /// <summary>Temporary files a killed trainer left behind (a write it did not get to rename): `NAME.tmp`, `NAME.PID.tmp`.</summary>
    public void RemoveTemporaryFiles()
    {
        foreach (var folder in new[] { Path, SamplesDir }.Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(folder, "*.tmp"))
            {
                try { File.Delete(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
    }

    /// <summary>
    /// A run folder is written by the trainer alone; one that holds a symbolic link (a run folder that came
    /// with a workspace, say) would make a resume write through it, so it is refused.
    /// </summary>
    public void RefuseLinks()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            if (new FileInfo(entry).LinkTarget is { } target)
                throw new TrainingException($"the run folder {Path} holds a symbolic link ({entry} → {target}); a run folder is written by the trainer only — resume a run it wrote");
    }

    public static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>Writes bytes to a temporary file in the same folder, flushes it to disk, then renames it over the target.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(temp); // a leftover (or a link) at that name is replaced, never written through
        using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Saves named tensors plus a JSON header (as a byte tensor "meta", stamped with <see cref="CheckpointFormat"/>) atomically in safetensors format.</summary>
    public static void SaveCheckpoint(string path, IEnumerable<(string Name, Tensor Value)> tensors, JsonObject meta)
    {
        var dict = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        // clone(): parameters are views into one flat buffer; a saved tensor must own its storage.
        foreach (var (name, value) in tensors) dict[name] = value.detach().cpu().clone();
        var stamped = (JsonObject)meta.DeepClone();
        stamped["format"] = CheckpointFormat;
        dict["meta"] = tensor(Encoding.UTF8.GetBytes(stamped.ToJsonString()));
        using var ms = new MemoryStream();
        Safetensors.SaveStateDict(ms, dict, leaveOpen: true);
        WriteAtomic(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    public static (Dictionary<string, Tensor> Tensors, JsonObject Meta) LoadCheckpoint(string path)
    {
        if (!File.Exists(path)) throw new TrainingException($"no checkpoint at {path}");
        var dict = Safetensors.LoadStateDict(path);
        if (!dict.Remove("meta", out var meta)) throw new TrainingException($"{path} is not an annlsp checkpoint (no meta)");
        var json = JsonNode.Parse(Encoding.UTF8.GetString(meta.bytes)) as JsonObject ?? throw new TrainingException($"{path}: bad meta");
        meta.Dispose();
        int format = json["format"] is JsonValue v && v.TryGetValue<int>(out var f) ? f : OldestCheckpointFormat;
        if (format is < OldestCheckpointFormat or > CheckpointFormat)
        {
            foreach (var t in dict.Values) t.Dispose();
            throw new TrainingException($"{path} is an annlsp checkpoint of format {format}; this annlsp reads formats {OldestCheckpointFormat} to {CheckpointFormat} (a newer annlsp wrote it: update annlsp, or train again)");
        }
        return (dict, json);
    }

    /// <summary>
    /// The module's state dict as a PyTorch file (torch.load reads it). Tensors are cloned first: the
    /// parameters are views into one flat buffer, and PyBridge would record a view's storage offset
    /// against a storage holding only the view's own elements.
    /// </summary>
    public static void SaveModelPt(nn.Module module, string path)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        using (var scope = NewDisposeScope())
        {
            var dict = new Dictionary<string, Tensor>();
            foreach (var (name, value) in module.state_dict()) dict[name] = value.detach().cpu().clone();
            PyTorchPickler.PickleStateDict(temp, dict);
        }
        File.Move(temp, path, overwrite: true);
    }
}
