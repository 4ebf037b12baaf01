using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Scoring;

/// <summary>Where reference classifiers are cached and how to train one on a miss.</summary>
public sealed record ReferenceOptions
{
    public const string CacheEnvironmentVariable = "ANNLSP_CACHE_DIR";

    /// <summary>The cache folder; default <see cref="DefaultCacheDir"/>.</summary>
    public string? CacheDir { get; init; }
    /// <summary>Where the classifier runs (and trains on a miss): cpu, cuda …; the cache file itself is device-free.</summary>
    public string Device { get; init; } = "cpu";
    public string? LibTorch { get; init; }
    /// <summary>Called when the cache has no valid classifier and one is about to be trained (under the lock).</summary>
    public Action? OnTraining { get; init; }

    /// <summary>$ANNLSP_CACHE_DIR, else $XDG_CACHE_HOME/annlsp, else ~/.cache/annlsp.</summary>
    public static string DefaultCacheDir()
    {
        if (Environment.GetEnvironmentVariable(CacheEnvironmentVariable) is { Length: > 0 } explicitDir) return explicitDir;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "annlsp");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "annlsp");
    }
}

/// <summary>
/// A small classifier of one data set's classes that judges generated images (docs/training.md,
/// "Scores of generative runs"). Trained on first need from the recipe the product ships
/// (Scoring/reference.ann), then cached per user in &lt;cache&gt;/reference/&lt;data set&gt;-&lt;key&gt;.ref, keyed by the
/// data set, its files, the recipe and the annlsp version. The cache file holds the weights, the input
/// standardisation, the mean and covariance of the test set's penultimate features, the real-vs-real
/// FD (two halves of the test set) and the test accuracy, behind a SHA-256 of its contents: a file that
/// does not match is rebuilt, never trusted. Writes are atomic (temp file + rename) and a file lock
/// makes a second process wait for the first one's training instead of training again.
/// </summary>
public sealed class ReferenceClassifier : IDisposable
{
    public const string RecipeResource = "Annlsp.Training.Scoring.reference.ann";
    /// <summary>A sample counts as confident when the classifier gives its class at least this probability.</summary>
    public const double ConfidenceThreshold = 0.9;
    private const string FormatVersion = "annlsp-reference-1";
    private static readonly string[] RecipeSlots = ["input(1x28x28)", "dense(10)", "data: fashion_mnist"];

    private readonly AnnNetwork model;
    private readonly InputStandardisation input;
    private readonly Device device;

    private ReferenceClassifier(AnnNetwork model, InputStandardisation input, FeatureStatistics real, JsonObject meta, string path, Device device, bool trainedNow)
    {
        this.model = model;
        this.input = input;
        this.device = device;
        Real = real;
        CachePath = path;
        TrainedNow = trainedNow;
        DataSet = (string)meta["dataSet"]!;
        ClassNames = ((JsonArray)meta["classes"]!).Select(n => (string)n!).ToArray();
        TestAccuracy = (double)meta["testAccuracy"]!;
        RealVsRealFd = (double)meta["realVsRealFd"]!;
        TrainSeconds = (double)meta["trainSeconds"]!;
        TestCount = (int)meta["testCount"]!;
        model.eval();
    }

    public string DataSet { get; }
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The classifier's accuracy on the data set's test set (its held-out part when it has none).</summary>
    public double TestAccuracy { get; }
    /// <summary>FD between the penultimate features of the two halves of the test set: what "perfect" looks like.</summary>
    public double RealVsRealFd { get; }
    /// <summary>Statistics of the whole test set's penultimate features: samples are compared with these.</summary>
    public FeatureStatistics Real { get; }
    public int TestCount { get; }
    public string CachePath { get; }
    /// <summary>True when this call trained it (a cache miss); false when it came from the cache.</summary>
    public bool TrainedNow { get; }
    public double TrainSeconds { get; }

    /// <summary>The recipe as shipped (an embedded resource).</summary>
    public static string Recipe()
    {
        using var s = typeof(ReferenceClassifier).Assembly.GetManifestResourceStream(RecipeResource)
            ?? throw new InvalidOperationException($"the resource {RecipeResource} is missing from the build");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>The recipe for a data set: its image shape, class count and `data:` value written into the slots.</summary>
    public static string RecipeFor(DataSetRef data, Shape imageShape, int classes)
    {
        var text = Recipe();
        foreach (var slot in RecipeSlots)
            if (text.IndexOf(slot, StringComparison.Ordinal) is var i && (i < 0 || text.IndexOf(slot, i + 1, StringComparison.Ordinal) >= 0))
                throw new InvalidOperationException($"the reference recipe must contain '{slot}' exactly once");
        var dims = string.Join("x", imageShape.Dims);
        return text.Replace(RecipeSlots[0], $"input({dims})").Replace(RecipeSlots[1], $"dense({classes})").Replace(RecipeSlots[2], "data: " + DataExpression(data));
    }

    private static string DataExpression(DataSetRef data)
    {
        string Quoted(string dir) => "\"" + Path.GetFullPath(dir).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return data.Name switch
        {
            "shapes" => "shapes",
            "fashion_mnist" => data.Directory is null ? "fashion_mnist" : $"fashion_mnist({Quoted(data.Directory)})",
            "images" => $"images({Quoted(data.Directory!)}, size: {data.Shape[1]}x{data.Shape[2]}, channels: {data.Shape[0]})",
            _ => $"{data.Name}({Quoted(data.Directory!)})",
        };
    }

    /// <summary>The folder whose files make up the data set (null for the generated `shapes`).</summary>
    private static string? DataFolder(DataSetRef data) => data.Name switch
    {
        "shapes" => null,
        "edges" => data.Source is { } source ? DataFolder(source) : null,
        "fashion_mnist" => DataSets.FashionMnistDir(data.Directory),
        _ => data.Directory,
    };

    /// <summary>The cache key: data set, shape, its files (path, size, time), the recipe, the annlsp version and the file format.</summary>
    public static string CacheKey(DataSetRef data)
    {
        var sb = new StringBuilder();
        sb.Append(FormatVersion).Append('\n');
        sb.Append("annlsp ").Append(ReleaseVersion()).Append('\n');
        sb.Append("recipe ").Append(RunFolder.Sha256(Recipe())).Append('\n');
        sb.Append("data ").Append(data.Name).Append(' ').Append(data.Shape).Append('\n');
        // edges(shapes) and edges(fashion_mnist) of one size are different images: the source is part of the data
        for (var source = data.Source; source is not null; source = source.Source)
            sb.Append("source ").Append(source.Name).Append(' ').Append(source.Shape).Append('\n');
        if (DataFolder(data) is { } folder && Directory.Exists(folder))
        {
            var root = Path.GetFullPath(folder);
            sb.Append("folder ").Append(root).Append('\n');
            foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(f);
                sb.Append(Path.GetRelativePath(root, f)).Append(' ').Append(info.Length).Append(' ')
                  .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return RunFolder.Sha256(sb.ToString());
    }

    public static string AnnlspVersion() =>
        typeof(ReferenceClassifier).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReferenceClassifier).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>
    /// The version without its build metadata ("1.2.0", not "1.2.0+3f2a…"): a classifier stays valid across
    /// commits of one release — its recipe and the file format are in the key — instead of retraining (a minute
    /// for Fashion-MNIST) after every build.
    /// </summary>
    public static string ReleaseVersion()
    {
        var full = AnnlspVersion();
        int plus = full.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? full : full[..plus];
    }

    public static string CachePathFor(DataSetRef data, string cacheDir) =>
        Path.Combine(cacheDir, "reference", $"{data.Name}-{CacheKey(data)[..16]}.ref");

    /// <summary>The data set's reference classifier: from the cache, or trained now (once, under a file lock) and cached.</summary>
    public static ReferenceClassifier Get(DataSetRef data, ReferenceOptions? options = null)
    {
        options ??= new ReferenceOptions();
        var runtime = Native.TorchRuntime.Initialize(new Native.TorchRuntimeOptions { Device = options.Device, LibTorch = options.LibTorch });
        var cacheDir = Path.GetFullPath(options.CacheDir ?? ReferenceOptions.DefaultCacheDir());
        var key = CacheKey(data);
        var path = Path.Combine(cacheDir, "reference", $"{data.Name}-{key[..16]}.ref");
        try { Directory.CreateDirectory(Path.GetDirectoryName(path)!); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainingException($"cannot create the reference-classifier cache {Path.GetDirectoryName(path)}: {e.Message} (set {ReferenceOptions.CacheEnvironmentVariable} to another folder)");
        }
        if (TryLoad(path, key, runtime.Device) is { } cached) return cached;
        using (AcquireLock(path + ".lock"))
        {
            if (TryLoad(path, key, runtime.Device) is { } written) return written; // another process trained it while we waited
            options.OnTraining?.Invoke();
            Build(data, key, path, options, runtime.Device);
        }
        return TryLoad(path, key, runtime.Device, trainedNow: true)
            ?? throw new TrainingException($"the reference classifier written to {path} cannot be read back");
    }

    /// <summary>An exclusive lock on a file (flock on Linux): a second process waits here while the first trains.</summary>
    private static FileStream AcquireLock(string lockPath)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(60)) { Thread.Sleep(100); }
        }
    }

    private static ReferenceClassifier? TryLoad(string path, string key, Device device, bool trainedNow = false)
    {
        if (!File.Exists(path)) return null;
        Dictionary<string, Tensor>? tensors = null;
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 32 || !SHA256.HashData(bytes.AsSpan(32)).AsSpan().SequenceEqual(bytes.AsSpan(0, 32))) return null;
            using var ms = new MemoryStream(bytes, 32, bytes.Length - 32);
            tensors = Safetensors.LoadStateDict(ms);
            if (!tensors.Remove("meta", out var metaTensor)) return null;
            var meta = JsonNode.Parse(Encoding.UTF8.GetString(metaTensor.bytes)) as JsonObject;
            metaTensor.Dispose();
            if (meta is null || (string?)meta["key"] != key || (string?)meta["format"] != FormatVersion) return null;
            var network = DocumentAnalysis.Analyze((string)meta["recipe"]!).Networks.GetValueOrDefault("Reference");
            if (network is null || !network.IsValid) return null;
            var model = ModelBuilder.Build(network, device);
            Trainer.LoadModelState(model, tensors, "model.");
            var std = InputStandardisation.Read(meta["input"]) ?? throw new TrainingException("no input standardisation");
            var real = new FeatureStatistics(tensors["real.mean"].clone(), tensors["real.covariance"].clone(), (int)meta["testCount"]!);
            return new ReferenceClassifier(model, new InputStandardisation(std.Mean, std.Std, device), real, meta, path, device, trainedNow);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // unreadable, truncated, of another version: rebuilt by the caller
        }
        finally
        {
            if (tensors is not null) foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static void Build(DataSetRef data, string key, string path, ReferenceOptions options, Device device)
    {
        var clock = Stopwatch.StartNew();
        const int recipeSeed = 1; // the recipe's seed: the trainer holds out the same part of a test-less data set
        using var split = DataSets.Load(new DataRequest { Data = data, Seed = recipeSeed });
        var evaluation = split.Evaluation ?? throw new TrainingException($"{data.Name} has no test images to score against");
        var dims = split.Train.ImageShape;
        var shape = Shape.Image((int)dims[0], (int)dims[1], (int)dims[2]);
        // edges(X, size: H×W) (pix2pix): a classifier of the pairs' targets, X's images at H×W. The language trains no
        // classifier on pairs, so the recipe names X, whose other size is then its train block's one error, and the
        // training reads the targets and X's labels from the pairs instead.
        var recipe = RecipeFor(data.Source ?? data, shape, split.Train.ClassNames.Count);
        var analysis = DocumentAnalysis.Analyze(recipe);
        var errors = analysis.Diagnostics.Where(d => d.IsError && !(data.Source is not null && d.Code == "ANN3011")).ToList();
        if (errors.Count > 0 || !analysis.Networks.ContainsKey("Reference"))
            throw new TrainingException($"the reference recipe does not fit {data.Display} ({shape}, {split.Train.ClassNames.Count} classes): " +
                                        string.Join("; ", errors.Select(d => d.Message)));
        var config = data.Source is null ? analysis.Trains.Single() : analysis.Trains.Single().WithClassifier(analysis.Networks["Reference"], data);
        var workDir = Path.Combine(Path.GetDirectoryName(path)!, $"training-{Guid.NewGuid():N}");
        try
        {
            var result = Trainer.Run(new TrainOptions { Config = config, SourceText = recipe, OutDir = workDir, Device = options.Device, LibTorch = options.LibTorch, TensorBoard = false });
            if (!result.Succeeded) throw new TrainingException($"the reference classifier for {data.Name} could not be trained: {result.Reason}");
            var (state, checkpointMeta) = RunFolder.LoadCheckpoint(Path.Combine(result.RunDir, RunFolder.CheckpointFile));
            using var model = ModelBuilder.Build(config.Network!, device);
            Trainer.LoadModelState(model, state, "model.");
            foreach (var t in state.Values) t.Dispose();
            var std = InputStandardisation.Read(checkpointMeta["input"]) ?? throw new TrainingException("the reference run recorded no input standardisation");
            using var standardisation = new InputStandardisation(std.Mean, std.Std, device);
            evaluation.To(device);

            // the real side: features of the test images, taken exactly as samples' are (through [-1, 1])
            using var realImages = TensorDataSet.Normalise(evaluation.Images, symmetric: true);
            using var features = PenultimateFeatures(model, standardisation, realImages);
            using var all = FeatureStatistics.Of(features);
            int half = evaluation.Count / 2;
            using var firstHalf = FeatureStatistics.Of(features.narrow(0, 0, half));
            using var secondHalf = FeatureStatistics.Of(features.narrow(0, half, evaluation.Count - half));
            double floor = FrechetDistance.Between(firstHalf, secondHalf);

            var meta = new JsonObject
            {
                ["format"] = FormatVersion,
                ["key"] = key,
                ["dataSet"] = data.Name,
                ["description"] = split.Train.Description,
                ["classes"] = new JsonArray(split.Train.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["testAccuracy"] = result.Metrics.GetValueOrDefault("accuracy", double.NaN),
                ["testSet"] = split.EvaluationName,
                ["testCount"] = evaluation.Count,
                ["realVsRealFd"] = floor,
                ["trainSeconds"] = clock.Elapsed.TotalSeconds,
                ["input"] = standardisation.ToJson(),
                ["recipe"] = recipe,
                ["annlsp"] = AnnlspVersion(),
                ["written"] = DateTimeOffset.Now.ToString("O"),
            };
            var dict = new Dictionary<string, Tensor>();
            using (var scope = NewDisposeScope())
            {
                foreach (var (name, value) in model.state_dict()) dict["model." + name] = value.detach().cpu().clone();
                dict["real.mean"] = all.Mean.clone();
                dict["real.covariance"] = all.Covariance.clone();
                dict["meta"] = tensor(Encoding.UTF8.GetBytes(meta.ToJsonString()));
                using var ms = new MemoryStream();
                Safetensors.SaveStateDict(ms, dict, leaveOpen: true);
                var payload = ms.ToArray();
                var file = new byte[32 + payload.Length];
                SHA256.HashData(payload).CopyTo(file, 0);
                payload.CopyTo(file, 32);
                RunFolder.WriteAtomic(path, file);
            }
        }
        finally
        {
            try { if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The penultimate features of images in [−1, 1] (the data sets' layout for generators), [N, D] on the device.</summary>
    private static Tensor PenultimateFeatures(AnnNetwork model, InputStandardisation input, Tensor images)
    {
        const int chunk = 500;
        var parts = new List<Tensor>();
        using var _ = no_grad();
        for (long start = 0; start < images.shape[0]; start += chunk)
        {
            using var scope = NewDisposeScope();
            var x = input.Apply(images.narrow(0, start, Math.Min(chunk, images.shape[0] - start)).add(1).mul_(127.5)); // [-1, 1] → 0–255, then standardised
            x = model.Penultimate(x);
            parts.Add(x.MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>
    /// Scores generated images [N, C, H, W] in [−1, 1] (the data set's layout as generators see it): their FD
    /// to the test set, the fraction classified with p ≥ 0.9, and how many classes those cover.
    /// </summary>
    public SampleScores Score(Tensor images)
    {
        var clock = Stopwatch.StartNew();
        if (images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W]");
        if (images.shape[0] < 2) throw new TrainingException("scoring needs at least 2 samples");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = images.to(device).to_type(ScalarType.Float32);
        var features = PenultimateFeatures(model, input, x);
        var probabilities = model.Head.forward(features).softmax(1);
        var (best, label) = probabilities.max(1);
        var confident = best.ge(ConfidenceThreshold);
        double confidentFraction = confident.to_type(ScalarType.Float64).mean().item<double>();
        var confidentLabels = label.masked_select(confident).cpu().data<long>().ToArray();
        var labels = label.cpu().data<long>().ToArray();
        int coverage = confidentLabels.Distinct().Count();
        var perClass = ClassNames.Select((name, k) => new ClassCount(name, labels.Count(l => l == k), confidentLabels.Count(l => l == k))).ToArray();
        using var stats = FeatureStatistics.Of(features);
        double fd = FrechetDistance.Between(stats, Real);
        return new SampleScores(fd, confidentFraction, coverage, ClassNames.Count, (int)images.shape[0], RealVsRealFd, clock.Elapsed.TotalSeconds) { PerClass = perClass };
    }

    public void Dispose()
    {
        model.Dispose();
        input.Dispose();
        Real.Dispose();
    }
}

/// <summary>Of the scored samples, how many the reference classifier puts in one class (its most likely one), and how many of those with p ≥ 0.9.</summary>
public sealed record ClassCount(string Name, int Drawn, int Confident);

/// <summary>What <see cref="ReferenceClassifier.Score"/> says about a set of samples.</summary>
public sealed record SampleScores(double Fd, double Confident, int Coverage, int Classes, int Samples, double RealVsRealFd, double Seconds)
{
    /// <summary>
    /// The samples per class: `coverage` counts a class with one confident sample, so a generator that draws
    /// mostly one or two classes (mode collapse) still covers them all; these counts show the mix.
    /// </summary>
    public IReadOnlyList<ClassCount> PerClass { get; init; } = [];

    /// <summary>"circle 484/520 · square 132/301 · …": confident / drawn per class.</summary>
    public string PerClassText => string.Join(" · ", PerClass.Select(c => $"{c.Name} {c.Confident}/{c.Drawn}"));

    /// <summary>"FD 12.3 · 94% confident · 4/4 classes".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"FD {Fd:0.0#} · {Confident * 100:0}% confident · {Coverage}/{Classes} classes");
}
