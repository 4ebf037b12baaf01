using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annlsp.Training.Training;
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

    private RunFolder(string path) { Path = path; }

    public string Path { get; }
    public string SamplesDir => System.IO.Path.Combine(Path, "samples");
    public string Checkpoint => System.IO.Path.Combine(Path, CheckpointFile);
    public string Metrics => System.IO.Path.Combine(Path, MetricsFile);
    public string TensorBoardDir => System.IO.Path.Combine(Path, "tensorboard");

    /// <summary>A new folder &lt;root&gt;/&lt;target&gt;/&lt;yyyyMMdd-HHmmss&gt;[-N].</summary>
    public static RunFolder Create(string root, string targetName, DateTime now)
    {
        var safe = string.Concat(targetName.Select(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '.' ? ch : '-'));
        var baseDir = System.IO.Path.Combine(System.IO.Path.GetFullPath(root), safe);
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

    public void WriteRunJson(JsonObject run) => WriteAtomic(System.IO.Path.Combine(Path, RunFile), Encoding.UTF8.GetBytes(run.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));

    /// <summary>The exact text trained, as UTF-8 without a BOM: its SHA-256 is run.json's sourceSha256.</summary>
    public void WriteSource(string text) => WriteAtomic(System.IO.Path.Combine(Path, SourceFile), Encoding.UTF8.GetBytes(text));

    public JsonObject? ReadRunJson()
    {
        var p = System.IO.Path.Combine(Path, RunFile);
        return File.Exists(p) ? JsonNode.Parse(File.ReadAllText(p)) as JsonObject : null;
    }

    public void AppendMetrics(TrainingEvent e) => File.AppendAllText(Metrics, e.ToJson() + "\n");

    public static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>Writes bytes to a temporary file in the same folder, flushes it to disk, then renames it over the target.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Saves named tensors plus a JSON header (as a byte tensor "meta") atomically in safetensors format.</summary>
    public static void SaveCheckpoint(string path, IEnumerable<(string Name, Tensor Value)> tensors, JsonObject meta)
    {
        var dict = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        // clone(): parameters are views into one flat buffer; a saved tensor must own its storage.
        foreach (var (name, value) in tensors) dict[name] = value.detach().cpu().clone();
        dict["meta"] = tensor(Encoding.UTF8.GetBytes(meta.ToJsonString()));
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
        using (var scope = NewDisposeScope())
        {
            var dict = new Dictionary<string, Tensor>();
            foreach (var (name, value) in module.state_dict()) dict[name] = value.detach().cpu().clone();
            PyTorchPickler.PickleStateDict(temp, dict);
        }
        File.Move(temp, path, overwrite: true);
    }
}
