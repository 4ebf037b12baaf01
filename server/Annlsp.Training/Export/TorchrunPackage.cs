using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Output;

namespace Annlsp.Training.Export;

/// <summary>
/// `annlsp export FILE --target T --torchrun --out DIR`: a self-contained folder that PyTorch's torchrun
/// trains with DistributedDataParallel, on CPUs or GPUs, one node or many (docs/torchrun.md), for every kind
/// (classifier, gan, pix2pix, diffusion). It holds the network module(s) as <see cref="PyTorchExporter"/> writes
/// them (a diffusion's schedule and samplers as <see cref="DiffusionExport"/> does), <c>train.py</c> (the recipe of
/// `annlsp train`, rank 0 writing an annlsp run folder), the data readers, the target's recipe as
/// <c>annlsp_target.json</c>, the trained source, a README, a Kubeflow PyTorchJob manifest and a Slurm
/// batch script. The Python files are embedded resources (Export/Torchrun/); what depends on the target
/// is generated here.
/// </summary>
public static class TorchrunPackage
{
    public const string TargetFile = "annlsp_target.json";
    public const string ReadmeFile = "README.md";
    public const string ManifestFile = "pytorchjob.yaml";
    public const string SlurmFile = "slurm.sbatch";
    /// <summary>The generated `shapes` data, as IDX files (the format train.py reads for MNIST too).</summary>
    public const string ShapesFolder = "data/shapes";

    private static readonly string[] PythonFiles = ["train.py", "annlsp_data.py", "annlsp_run.py"];

    /// <summary>
    /// The target kinds the package trains (classifier, gan, pix2pix, diffusion: the kind's name in annlsp_target.json
    /// is a key of train.py's KINDS) and the networks each needs, by role.
    /// </summary>
    private static IReadOnlyList<(string Role, NetworkModel Network)> Networks(TrainConfig config) => config.Kind switch
    {
        TrainKind.Classifier => [("network", config.Network ?? throw new TrainingException($"train {config.DisplayName}: its network has errors"))],
        TrainKind.Gan or TrainKind.Pix2Pix => [
            ("generator", config.Gan?.Generator ?? throw new TrainingException($"gan {config.Target} has no valid generator")),
            ("discriminator", config.Gan?.Discriminator ?? throw new TrainingException($"gan {config.Target} has no valid discriminator")),
        ],
        TrainKind.Diffusion => [("denoiser", config.Diffusion?.Denoiser ?? throw new TrainingException($"diffusion {config.Target} has no valid denoiser"))],
        _ => throw new TrainingException($"the torchrun package does not train '{config.Kind}' targets"),
    };

    /// <summary>The data set whose files the package reads: edges(…)'s source, else the data set itself.</summary>
    private static DataSetRef FileData(TrainConfig config) => config.Data.Source ?? config.Data;

    /// <summary>Writes the package for <paramref name="config"/> into <paramref name="outDir"/>; returns the files written (README first).</summary>
    public static IReadOnlyList<string> Write(TrainConfig config, string sourceText, string? sourcePath, string outDir)
    {
        var networks = Networks(config);
        if (config.Kind == TrainKind.Gan && !networks[0].Network.Input.IsVector)
            throw new TrainingException($"the generator {networks[0].Network.Name} must take a latent vector, not {networks[0].Network.Input}");
        if (config.Kind == TrainKind.Pix2Pix && !networks[0].Network.Input.IsImage)
            throw new TrainingException($"the generator {networks[0].Network.Name} must take an image to be trained on pairs, not {networks[0].Network.Input}");
        if (config.Kind == TrainKind.Pix2Pix && !config.Data.IsPaired)
            throw new TrainingException($"{config.Data.Display} is not a paired data set: train the gan {config.Target} on edges(…) or pairs(…)");
        var diffusion = config.Kind == TrainKind.Diffusion ? config.Diffusion! : null;
        if (diffusion is not null && diffusion.Name == networks[0].Network.Name)
            throw new TrainingException($"the diffusion {diffusion.Name} and its denoiser share a name; the package needs a module for each");
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        void Text(string name, string text)
        {
            var path = Path.Combine(outDir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text.ReplaceLineEndings("\n"), new UTF8Encoding(false));
            written.Add(Path.GetFullPath(path));
        }

        var sourceName = sourcePath is null ? null : Path.GetFileName(sourcePath);
        Text(ReadmeFile, Fill(Resource("README.md"), config, networks));
        foreach (var (_, network) in networks)
            Text(network.Name + ".py", PyTorchExporter.PythonSource(network, sourceName));
        if (diffusion is not null) // the schedule, the step embedding and the samplers, as `annlsp export` writes them
            Text(diffusion.Name + ".py", DiffusionExport.PythonSource(diffusion, networks[0].Network, sourceName));
        foreach (var file in PythonFiles) Text(file, Resource(file));
        Text("source.ann", sourceText);
        Text(TargetFile, TargetJson(config, sourceText, sourcePath, networks).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        Text(ManifestFile, Fill(Resource("pytorchjob.yaml"), config, networks));
        Text(SlurmFile, Fill(Resource("slurm.sbatch"), config, networks));
        if (FileData(config).Name == "shapes") written.AddRange(WriteShapes(Path.Combine(outDir, ShapesFolder)));
        return written;
    }

    /// <summary>The recipe train.py follows: every value `annlsp train` takes from the train block, defaults filled in.</summary>
    public static JsonObject TargetJson(TrainConfig config, string sourceText, string? sourcePath, IReadOnlyList<(string Role, NetworkModel Network)>? networks = null)
    {
        networks ??= Networks(config);
        var o = config.Optimizer;
        var data = config.Data;
        var nets = new JsonObject();
        foreach (var (role, n) in networks)
            nets[role] = new JsonObject
            {
                ["module"] = n.Name, ["class"] = n.Name, ["input"] = n.Input.ToString(), ["output"] = n.Output.ToString(),
                ["parameters"] = n.Parameters, ["trailingActivation"] = n.TrailingActivation,
            };
        return new JsonObject
        {
            ["format"] = 1,
            ["target"] = config.DisplayName,
            ["kind"] = config.Kind.ToString().ToLowerInvariant(),
            ["source"] = sourcePath is null ? null : Path.GetFullPath(sourcePath),
            ["sourceSha256"] = RunFolder.Sha256(sourceText),
            ["annlspVersion"] = typeof(TorchrunPackage).Assembly.GetName().Version?.ToString(),
            ["networks"] = nets,
            ["latent"] = config.Kind == TrainKind.Gan ? networks[0].Network.Input[0] : null,
            ["l1"] = config.Kind == TrainKind.Pix2Pix ? config.Gan!.L1Weight : null,
            ["diffusion"] = config.Diffusion is { } d && config.Kind == TrainKind.Diffusion ? new JsonObject
            {
                ["module"] = d.Name, ["name"] = d.Name, ["steps"] = d.Schedule.Steps, ["schedule"] = d.Schedule.Kind,
                ["beta_start"] = d.Schedule.BetaStart, ["beta_end"] = d.Schedule.BetaEnd, ["sampler"] = d.Sampler.ToString(),
                ["time_embed"] = d.TimeEmbedding, ["ema"] = d.Ema, ["predict"] = d.Prediction, ["alpha_bar_T"] = d.Schedule.AlphaBarAtEnd,
            } : null,
            ["data"] = DataJson(data),
            ["epochs"] = config.Epochs,
            ["batch"] = config.Batch,
            ["optimizer"] = new JsonObject
            {
                ["name"] = o.Name, ["lr"] = o.LearningRate, ["beta1"] = o.Beta1, ["beta2"] = o.Beta2,
                ["weight_decay"] = o.WeightDecay, ["momentum"] = o.Momentum, ["nesterov"] = o.Nesterov,
            },
            ["schedule"] = config.Schedule,
            ["label_smoothing"] = config.LabelSmoothing,
            ["random_flip"] = config.RandomFlip,
            ["random_shift"] = config.RandomShift,
            ["seed"] = config.Seed,
            ["device"] = config.Device,
            ["preview"] = new JsonArray(config.Preview.H, config.Preview.W),
            ["validate_fraction"] = config.ValidateOnTest ? null : config.ValidateFraction,
            ["checkpoint_every"] = config.CheckpointEvery,
        };
    }

    /// <summary>A data set for annlsp_data.load: its name, folder, image shape and classes; edges(…) its source too, pairs(…) its direction.</summary>
    private static JsonObject DataJson(DataSetRef data)
    {
        var classes = data.ClassNames.Count > 0 ? data.ClassNames : data.Name switch
        {
            "shapes" => ShapesDataSet.ClassNames,
            "fashion_mnist" => DataSets.FashionMnistClasses,
            "cifar10" => DataSets.Cifar10Classes,
            "mnist" => Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray(),
            _ => (IReadOnlyList<string>)[],
        };
        static JsonArray? Dims(Shape? shape) => shape is { IsKnown: true } s ? new JsonArray(s.Dims.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()) : null;
        var o = new JsonObject
        {
            ["name"] = data.Name, ["directory"] = data.Directory,
            ["shape"] = Dims(data.Shape),
            ["classes"] = classes.Count > 0 ? new JsonArray(classes.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()) : null,
        };
        if (data.IsPaired) o["input"] = Dims(data.Input);
        if (data.Source is { } source) o["source"] = DataJson(source);
        if (data.Name == "pairs") o["direction"] = data.Direction;
        return o;
    }

    /// <summary>The product's `shapes` (train: 6000 images, seed 1234; test: 1000, seed 98765) as gzip-compressed IDX files.</summary>
    public static IReadOnlyList<string> WriteShapes(string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (prefix, count, seed) in new[] { ("train", DataSets.ShapesTrainCount, 1234), ("t10k", DataSets.ShapesTestCount, 98765) })
        {
            var (pixels, labels) = ShapesDataSet.Generate(count, seed);
            files.Add(WriteIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), [count, ShapesDataSet.Size, ShapesDataSet.Size], pixels));
            files.Add(WriteIdx(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), [count], labels.Select(l => (byte)l).ToArray()));
        }
        return files;
    }

    private static string WriteIdx(string path, int[] dims, byte[] data)
    {
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Optimal))
        {
            gz.Write([0, 0, 0x08, (byte)dims.Length]);
            Span<byte> dim = stackalloc byte[4];
            foreach (var d in dims)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(dim, d);
                gz.Write(dim);
            }
            gz.Write(data);
        }
        return Path.GetFullPath(path);
    }

    private static string DataDir(TrainConfig config) =>
        FileData(config).Directory ?? (FileData(config).Name == "fashion_mnist" ? DataSets.FashionMnistDefaultDir : "/data");

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Annlsp.Training.Export.Torchrun." + name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The templates' {{NAME}} fields: the target, a job name Kubernetes and Slurm accept, the networks, the data, the batch.</summary>
    private static string Fill(string template, TrainConfig config, IReadOnlyList<(string Role, NetworkModel Network)> networks)
    {
        var job = new string(config.DisplayName.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');
        while (job.Contains("--")) job = job.Replace("--", "-");
        var files = FileData(config);
        var data = files.Directory is { } dir ? $"{files.Name}(\"{dir}\")" : files.Name;
        if (config.Data.Source is not null) data = $"{config.Data.Name}({data})";
        return template
            .Replace("{{TARGET}}", config.DisplayName)
            .Replace("{{JOB}}", job.Length == 0 ? "annlsp" : job.Length > 40 ? job[..40].TrimEnd('-') : job)
            .Replace("{{KIND}}", config.Kind.ToString().ToLowerInvariant())
            .Replace("{{NETWORKS}}", string.Join(", ", networks.Select(n => $"{n.Role} {n.Network.Name} ({n.Network.Input} → {n.Network.Output}, {n.Network.Parameters:N0} parameters)")))
            .Replace("{{DATA}}", data)
            .Replace("{{DATA_ARGS}}", files.Name == "shapes" ? "" : $", \"--data\", \"{DataDir(config)}\"")
            .Replace("{{DATA_DIR}}", files.Name == "shapes" ? "" : DataDir(config))
            .Replace("{{EPOCHS}}", config.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{{BATCH}}", config.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
