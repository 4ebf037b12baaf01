using Annlsp.Progress;
using System.Diagnostics;
using System.Globalization;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Scoring;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

public class FrechetDistanceTests
{
    /// <summary>A random rotation (the Q of a QR decomposition), float64.</summary>
    private static Tensor Rotation(int d, ulong seed) => linalg.qr(randn([d, d], dtype: ScalarType.Float64, generator: new Generator(seed))).Q;

    [Fact]
    public void Gaussians_with_commuting_covariances_match_the_closed_form()
    {
        // Σ₁ = Q diag(a) Qᵀ, Σ₂ = Q diag(b) Qᵀ commute, so FD = |μ₁ − μ₂|² + Σ (√aᵢ − √bᵢ)².
        const int d = 12;
        using var q = Rotation(d, 3);
        var a = Enumerable.Range(0, d).Select(i => 0.5 + i * 0.7).ToArray();
        var b = Enumerable.Range(0, d).Select(i => 3.0 / (1 + i)).ToArray();
        using var cov1 = q.matmul(diag(tensor(a))).matmul(q.t());
        using var cov2 = q.matmul(diag(tensor(b))).matmul(q.t());
        var m1 = Enumerable.Range(0, d).Select(i => Math.Sin(i)).ToArray();
        var m2 = Enumerable.Range(0, d).Select(i => Math.Cos(i) * 2).ToArray();
        double expected = m1.Zip(m2, (x, y) => (x - y) * (x - y)).Sum() + a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        double fd = FrechetDistance.Between(tensor(m1), cov1, tensor(m2), cov2);
        Assert.Equal(expected, fd, 1e-9);
    }

    [Fact]
    public void One_dimension_is_the_squared_difference_of_means_and_of_deviations()
    {
        // N(1, 2²) and N(4, 5²): (1 − 4)² + (2 − 5)² = 18
        double fd = FrechetDistance.Between(tensor(new[] { 1.0 }), tensor(new[] { 4.0 }).reshape(1, 1), tensor(new[] { 4.0 }), tensor(new[] { 25.0 }).reshape(1, 1));
        Assert.Equal(18, fd, 1e-12);
    }

    [Fact]
    public void A_distribution_is_at_distance_zero_from_itself_and_the_distance_is_symmetric()
    {
        using var x = randn([400, 8], generator: new Generator(5)).matmul(randn([8, 8], generator: new Generator(6)));
        using var y = randn([300, 8], generator: new Generator(7)).add(0.3);
        using var sx = FeatureStatistics.Of(x);
        using var sy = FeatureStatistics.Of(y);
        Assert.Equal(0, FrechetDistance.Between(sx, sx), 1e-6);
        Assert.Equal(FrechetDistance.Between(sx, sy), FrechetDistance.Between(sy, sx), 1e-6);
    }

    [Fact]
    public void Statistics_and_distance_agree_with_Debians_NumPy_on_the_same_features()
    {
        Assert.True(File.Exists(PythonRunner.Python), "Debian's python3 with python3-numpy is needed: sudo apt-get install -y python3-numpy");
        // Two correlated, non-commuting feature sets, as a classifier's penultimate layer gives them.
        using var x = randn([500, 16], generator: new Generator(11)).matmul(randn([16, 16], generator: new Generator(12))).relu();
        using var y = randn([700, 16], generator: new Generator(13)).matmul(randn([16, 16], generator: new Generator(14))).add(0.2).relu();
        var dir = TestSetup.TempDir("fd-numpy");
        WriteCsv(Path.Combine(dir, "x.csv"), x);
        WriteCsv(Path.Combine(dir, "y.csv"), y);
        using var sx = FeatureStatistics.Of(x);
        using var sy = FeatureStatistics.Of(y);
        double ours = FrechetDistance.Between(sx, sy);
        var script = Path.Combine(dir, "fd.py");
        // The usual FID formula: tr sqrtm(Σ₁Σ₂) from the eigenvalues of the (non-symmetric) product, a different route from ours.
        File.WriteAllText(script, $$"""
            import numpy as np
            x = np.loadtxt({{PythonRunner.Quote(Path.Combine(dir, "x.csv"))}}, delimiter=","); y = np.loadtxt({{PythonRunner.Quote(Path.Combine(dir, "y.csv"))}}, delimiter=",")
            m1, m2 = x.mean(0), y.mean(0)
            s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
            ev = np.linalg.eigvals(s1 @ s2)
            fd = ((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev.real, 0, None)).sum()
            print(repr(float(fd)), repr(float(np.trace(s1))), repr(float(m1.sum())))
            """);
        var parts = PythonRunner.Run(script).Trim().Split(' ').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(parts[1], sx.Covariance.trace().item<double>(), 1e-6 * Math.Abs(parts[1]));
        Assert.Equal(parts[2], sx.Mean.sum().item<double>(), 1e-6 * Math.Max(1, Math.Abs(parts[2])));
        Assert.True(ours > 1, $"the two sets should differ: FD {ours}");
        Assert.Equal(parts[0], ours, 1e-6 * parts[0]);
    }

    private static void WriteCsv(string path, Tensor t)
    {
        var rows = (int)t.shape[0];
        var cols = (int)t.shape[1];
        var data = t.to_type(ScalarType.Float64).data<double>().ToArray();
        File.WriteAllLines(path, Enumerable.Range(0, rows).Select(r => string.Join(",", Enumerable.Range(0, cols).Select(c => data[r * cols + c].ToString("R", CultureInfo.InvariantCulture)))));
    }
}

/// <summary>Runs scripts in Debian's python3 (without the test host's LD_LIBRARY_PATH).</summary>
internal static class PythonRunner
{
    public const string Python = "/usr/bin/python3";

    public static string Run(string script)
    {
        var psi = new ProcessStartInfo(Python, [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("LD_LIBRARY_PATH");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stdout + stderr);
        return stdout;
    }

    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>One shapes reference classifier, trained once in a fresh cache for the tests that only read it.</summary>
public sealed class ShapesReferenceFixture : IDisposable
{
    public ShapesReferenceFixture()
    {
        CacheDir = TestSetup.TempDir("reference-cache");
        Reference = ReferenceClassifier.Get(Nets.Shapes, new ReferenceOptions { CacheDir = CacheDir });
    }

    public string CacheDir { get; }
    public ReferenceClassifier Reference { get; }

    public void Dispose() => Reference.Dispose();
}

public class ReferenceClassifierTests(ShapesReferenceFixture shapes) : IClassFixture<ShapesReferenceFixture>
{
    [Theory]
    [InlineData("shapes", "shapes", 1, 28, 28, 4)]
    [InlineData("fashion_mnist", "fashion_mnist", 1, 28, 28, 10)]
    [InlineData("mnist", "mnist(\"/data/mnist\")", 1, 28, 28, 10)]
    [InlineData("cifar10", "cifar10(\"/data/cifar\")", 3, 32, 32, 10)]
    [InlineData("images", "images(\"/data/pets\", size: 64x48, channels: 3)", 3, 64, 48, 7)]
    public void The_shipped_recipe_fits_every_data_set_with_classes(string name, string expression, int c, int h, int w, int classes)
    {
        var data = new DataSetRef(name, name is "shapes" or "fashion_mnist" ? null : expression.Split('"')[1], Shape.Image(c, h, w), classes, []);
        var recipe = ReferenceClassifier.RecipeFor(data, Shape.Image(c, h, w), classes);
        var analysis = DocumentAnalysis.Analyze(recipe);
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Select(d => d.Message)));
        var train = Assert.Single(analysis.Trains);
        Assert.Equal(name, train.Data.Name);
        Assert.Equal(Shape.Image(c, h, w), train.Network!.Input);
        Assert.Equal(classes, (int)train.Network.Output[0]);
        Assert.Contains(expression.Replace("/data", Path.GetFullPath("/data")), recipe);
    }

    [Fact]
    public void The_shapes_classifier_is_accurate_and_records_its_accuracy_and_the_real_vs_real_floor()
    {
        var r = shapes.Reference;
        Assert.True(r.TestAccuracy > 0.97, $"test accuracy {r.TestAccuracy}");
        Assert.Equal(["circle", "square", "triangle", "cross"], r.ClassNames);
        Assert.Equal(DataSets.ShapesTestCount, r.TestCount);
        Assert.True(r.RealVsRealFd > 0 && double.IsFinite(r.RealVsRealFd), $"floor {r.RealVsRealFd}");
        Assert.StartsWith(Path.Combine(shapes.CacheDir, "reference", "shapes-"), r.CachePath);
        // a second request is served from the cache file, not trained again
        using var again = ReferenceClassifier.Get(Nets.Shapes, new ReferenceOptions { CacheDir = shapes.CacheDir });
        Assert.False(again.TrainedNow);
        Assert.Equal(r.TestAccuracy, again.TestAccuracy);
        Assert.Equal(r.RealVsRealFd, again.RealVsRealFd);
    }

    [Fact]
    public void Real_images_score_near_the_real_vs_real_floor_and_noise_far_above_it()
    {
        var r = shapes.Reference;
        // real training images (not the test images the statistics come from), in the generators' [-1, 1]
        var (pixels, _) = ShapesDataSet.Generate(1000, 4242);
        using var real = TensorDataSet.Normalise(tensor(pixels, [1000, 1, 28, 28]), symmetric: true);
        var realScores = r.Score(real);
        using var noise = rand([1000, 1, 28, 28], generator: new Generator(9)).mul(2).sub(1);
        var noiseScores = r.Score(noise);
        using var black = full([1000, 1, 28, 28], -1f);
        var blackScores = r.Score(black);

        Assert.True(realScores.Fd < 2 * r.RealVsRealFd + 1, $"real {realScores}, floor {r.RealVsRealFd}");
        Assert.True(realScores.Confident > 0.95, realScores.ToString());
        Assert.Equal(4, realScores.Coverage);
        Assert.Equal(4, realScores.Classes);
        Assert.Equal(1000, realScores.Samples);
        Assert.True(noiseScores.Fd > 20 * r.RealVsRealFd, $"noise {noiseScores}, floor {r.RealVsRealFd}");
        Assert.True(blackScores.Fd > 20 * r.RealVsRealFd, $"blank {blackScores}, floor {r.RealVsRealFd}");
        Assert.True(blackScores.Coverage <= 1, $"1,000 identical images cover one class at most: {blackScores}"); // mode collapse shows as coverage

        // per class: every sample is drawn as one class; real shapes come about a quarter each (the generator's
        // classes are uniform), identical images all as one
        Assert.Equal(["circle", "square", "triangle", "cross"], realScores.PerClass.Select(c => c.Name));
        Assert.Equal(1000, realScores.PerClass.Sum(c => c.Drawn));
        Assert.Equal((int)Math.Round(realScores.Confident * 1000), realScores.PerClass.Sum(c => c.Confident));
        Assert.All(realScores.PerClass, c => Assert.InRange(c.Drawn, 180, 320));
        Assert.All(realScores.PerClass, c => Assert.InRange(c.Confident, 0, c.Drawn));
        Assert.Equal(1000, blackScores.PerClass.Max(c => c.Drawn));
    }

    [Fact]
    public void A_corrupted_cache_file_is_rebuilt_not_trusted()
    {
        var dir = TestSetup.TempDir("reference-corrupt");
        var path = Path.Combine(dir, "reference", Path.GetFileName(shapes.Reference.CachePath));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = File.ReadAllBytes(shapes.Reference.CachePath);
        bytes[bytes.Length - 100] ^= 0x40; // one flipped bit among the weights: still a readable safetensors file
        File.WriteAllBytes(path, bytes);

        using var rebuilt = ReferenceClassifier.Get(Nets.Shapes, new ReferenceOptions { CacheDir = dir });
        Assert.True(rebuilt.TrainedNow);
        Assert.Equal(path, rebuilt.CachePath);
        Assert.NotEqual(bytes, File.ReadAllBytes(path));

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]); // truncated, as by a full disk
        using var again = ReferenceClassifier.Get(Nets.Shapes, new ReferenceOptions { CacheDir = dir });
        Assert.True(again.TrainedNow);
        Assert.True(again.TestAccuracy > 0.97);
    }

    [Fact]
    public async Task Two_runs_asking_at_once_train_one_classifier_and_both_get_it()
    {
        var dir = TestSetup.TempDir("reference-concurrent");
        int trainings = 0;
        var options = new ReferenceOptions { CacheDir = dir, OnTraining = () => Interlocked.Increment(ref trainings) };
        using var start = new Barrier(2);
        var tasks = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return ReferenceClassifier.Get(Nets.Shapes, options);
        }, TaskCreationOptions.LongRunning)).ToArray();
        using var a = await tasks[0];
        using var b = await tasks[1];
        Assert.Equal(1, trainings);
        Assert.Equal(1, new[] { a.TrainedNow, b.TrainedNow }.Count(t => t));
        Assert.Equal(a.CachePath, b.CachePath);
        Assert.Equal(a.RealVsRealFd, b.RealVsRealFd);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "reference"), "*.ref"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "reference"))); // the training's scratch run folder is gone
    }

    private const string TinyGan = """
        network G {
            input(16)
            dense(32 * 7 * 7) -> batchnorm -> relu
            reshape(32x7x7)
            deconv(16, kernel: 4, stride: 2, padding: 1) -> batchnorm -> relu
            deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh
        }
        network D {
            input(1x28x28)
            conv(16, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
            conv(32, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
            flatten
            dense(1)
        }
        gan Tiny { generator: G, discriminator: D }
        train Tiny { data: shapes, epochs: 2, batch: 32, optimizer: adam(lr: 5e-4, beta1: 0.5), preview: 2x2, seed: 3, score_samples: 300 }
        """;

    [Fact]
    public void A_gan_run_reports_fd_confident_and_coverage_every_epoch_and_evaluate_gives_the_last_ones_again()
    {
        var dir = TestSetup.TempDir("gan-scores");
        var source = Path.Combine(dir, "tiny.ann");
        File.WriteAllText(source, TinyGan);
        var config = DocumentAnalysis.Analyze(TinyGan).Trains.Single();
        Assert.Equal(300, config.ScoreSamples);
        var events = new Training.CollectingObserver();
        var result = Training.Trainer.Run(new Training.TrainOptions
        {
            Config = config, SourceText = TinyGan, SourcePath = source, Limit = 640, Observer = events, TensorBoard = false, ScoreCacheDir = shapes.CacheDir,
        });
        Assert.True(result.Succeeded, result.Reason);
        var reference = Assert.IsType<ReferenceEvent>(Assert.Single(events.Events, e => e is ReferenceEvent));
        Assert.Equal("ready", reference.Status);
        Assert.Equal(false, reference.Trained); // the fixture's cache
        var epochs = events.Events.OfType<EpochEvent>().ToList();
        Assert.Equal(2, epochs.Count);
        foreach (var e in epochs)
        {
            Assert.True(e.Fd > 0, ProgressJson.Write(e));
            Assert.InRange(e.Confident!.Value, 0, 1);
            Assert.InRange(e.Coverage!.Value, 0, 4);
            Assert.Equal(4, e.Classes);
            Assert.Equal(300, e.ScoreSamples);
            Assert.Equal(shapes.Reference.RealVsRealFd, e.FdReal);
            Assert.True(e.ScoreSeconds > 0);
        }
        var lines = File.ReadAllLines(Path.Combine(result.RunDir, "metrics.jsonl")).Where(l => l.Contains("\"event\":\"epoch\"")).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Matches("\"fd\":[0-9.]+.*\"confident\":[0-9.]+.*\"coverage\":[0-4]", l));
        var finished = Assert.IsType<FinishedEvent>(events.Events.Last());
        Assert.Equal(epochs[1].Fd, finished.Fd);

        // the same samples from the checkpoint give the same scores
        var evaluation = RunEvaluator.Evaluate(result.RunDir, cacheDir: shapes.CacheDir);
        Assert.Equal(2, evaluation.Epoch);
        Assert.Equal("gan", evaluation.Kind);
        Assert.Equal(300, evaluation.Scores!.Samples);
        Assert.Equal(epochs[1].Fd!.Value, evaluation.Scores.Fd, 1e-3 * evaluation.Scores.Fd);
        Assert.Equal(epochs[1].Confident!.Value, evaluation.Scores.Confident, 1e-9);
        Assert.Equal(epochs[1].Coverage!.Value, evaluation.Scores.Coverage);
        Assert.False(evaluation.SourceChanged);
        Assert.Equal(500, RunEvaluator.Evaluate(result.RunDir, samples: 500, cacheDir: shapes.CacheDir).Scores!.Samples);

        // the .ann file edited since (a wider generator): evaluate still rebuilds what the run trained, from source.ann, and says so
        File.WriteAllText(source, TinyGan.Replace("deconv(16", "deconv(24"));
        var after = RunEvaluator.Evaluate(result.RunDir, cacheDir: shapes.CacheDir);
        Assert.True(after.SourceChanged);
        Assert.Equal(evaluation.Scores.Fd, after.Scores!.Fd, 1e-9);
    }

    private const string TinyDiffusion = DiffusionTests.TinyDenoiser + """
        diffusion Tiny { denoiser: Denoiser, steps: 50, schedule: cosine, sampler: ddim(5), ema: 0.9, time_embed: 16 }
        train Tiny { data: shapes, epochs: 1, batch: 32, optimizer: adam(lr: 2e-3), preview: 2x2, seed: 5, score_samples: 40 }
        """;

    [Fact]
    public void A_diffusion_run_is_scored_every_epoch_and_evaluate_draws_the_same_samples_again_or_with_another_sampler()
    {
        var dir = TestSetup.TempDir("diffusion-scores");
        var config = DocumentAnalysis.Analyze(TinyDiffusion).Trains.Single();
        var events = new Training.CollectingObserver();
        var result = Training.Trainer.Run(new Training.TrainOptions
        {
            Config = config, SourceText = TinyDiffusion, SourcePath = Path.Combine(dir, "tiny.ann"), OutDir = dir, Limit = 320, Observer = events,
            TensorBoard = false, ScoreCacheDir = shapes.CacheDir,
        });
        Assert.True(result.Succeeded, result.Reason);
        var epoch = events.Events.OfType<EpochEvent>().Single();
        Assert.Equal(40, epoch.ScoreSamples);

        // the run's .ann file was never written: evaluate rebuilds the denoiser from the run folder's source.ann
        var evaluation = RunEvaluator.Evaluate(result.RunDir, cacheDir: shapes.CacheDir);
        Assert.Equal(("diffusion", 1, "ddim(5)"), (evaluation.Kind, evaluation.Epoch, evaluation.Sampler));
        Assert.Equal(epoch.Fd!.Value, evaluation.Scores!.Fd, 1e-3 * evaluation.Scores.Fd);
        Assert.Equal(epoch.Confident!.Value, evaluation.Scores.Confident, 1e-9);
        Assert.Equal(epoch.Coverage!.Value, evaluation.Scores.Coverage);
        Assert.Null(evaluation.Translation);

        var ddpm = RunEvaluator.Evaluate(result.RunDir, cacheDir: shapes.CacheDir, sampler: DiffusionSampler.Ddpm);
        Assert.Equal("ddpm", ddpm.Sampler);
        Assert.NotEqual(evaluation.Scores.Fd, ddpm.Scores!.Fd);
        Assert.Contains("more steps than the diffusion's 50",
            Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(result.RunDir, cacheDir: shapes.CacheDir, sampler: DiffusionSampler.Ddim(80))).Message);
        var json = evaluation.ToJson();
        Assert.Equal("ddim(5)", (string?)json["sampler"]);
        Assert.Null(json["l1"]);
    }

    [Fact]
    public void Score_samples_0_turns_scoring_off()
    {
        var text = TinyGan.Replace("score_samples: 300", "score_samples: 0");
        var config = DocumentAnalysis.Analyze(text).Trains.Single();
        var events = new Training.CollectingObserver();
        var result = Training.Trainer.Run(new Training.TrainOptions { Config = config, SourceText = text, OutDir = TestSetup.TempDir("gan-noscore"), Limit = 128, Epochs = 1, Observer = events, TensorBoard = false, ScoreCacheDir = shapes.CacheDir });
        Assert.True(result.Succeeded, result.Reason);
        Assert.DoesNotContain(events.Events, e => e is ReferenceEvent);
        Assert.Null(events.Events.OfType<EpochEvent>().Single().Fd);
    }

    [Fact]
    public void Evaluate_names_what_is_wrong_with_a_missing_or_broken_run()
    {
        var missing = Path.Combine(TestSetup.TempDir("eval-missing"), "nope");
        Assert.Contains("no such run folder", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(missing)).Message);
        var empty = TestSetup.TempDir("eval-empty");
        Assert.Contains("has no run.json", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty)).Message);
        File.WriteAllText(Path.Combine(empty, "run.json"), "{ not json");
        Assert.Contains("is not valid JSON", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty)).Message);
        File.WriteAllText(Path.Combine(empty, "run.json"), """{"target": "LeNet5", "kind": "classifier"}""");
        Assert.Contains("a run of the classifier 'LeNet5'; evaluate measures gan, pix2pix and diffusion runs", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty)).Message);
        File.WriteAllText(Path.Combine(empty, "run.json"), """{"target": "Tiny", "kind": "gan", "source": "/nonexistent/tiny.ann"}""");
        Assert.Contains("/nonexistent/tiny.ann is gone and the run folder has no source.ann", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty)).Message);
        var source = Path.Combine(empty, "tiny.ann");
        File.WriteAllText(source, TinyGan);
        File.WriteAllText(Path.Combine(empty, "run.json"), $$"""{"target": "Tiny", "kind": "gan", "source": {{System.Text.Json.JsonSerializer.Serialize(source)}}}""");
        Assert.Contains("has no checkpoint", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty)).Message);
        File.WriteAllText(Path.Combine(empty, "checkpoint.safetensors"), "garbage");
        Assert.Contains("cannot be read", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(empty, cacheDir: shapes.CacheDir)).Message);
    }

    [Fact]
    public void The_cache_key_follows_the_data_sets_files()
    {
        var dir = TestSetup.TempDir("reference-key");
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        File.WriteAllText(Path.Combine(dir, "a", "x.png"), "1");
        var data = new DataSetRef("images", dir, Shape.Image(1, 8, 8), 0, []);
        var before = ReferenceClassifier.CacheKey(data);
        Assert.Equal(before, ReferenceClassifier.CacheKey(data));
        File.WriteAllText(Path.Combine(dir, "a", "y.png"), "2");
        Assert.NotEqual(before, ReferenceClassifier.CacheKey(data));
        Assert.NotEqual(ReferenceClassifier.CacheKey(Nets.Shapes), ReferenceClassifier.CacheKey(Nets.FashionMnist));

        // edges(…) of one size but of other images, or of the images' folder changed, is another classifier
        DataSetRef Edges(DataSetRef source) => new("edges", null, Shape.Image(1, 32, 32), source.Classes, source.ClassNames) { Input = Shape.Image(1, 32, 32), Source = source };
        Assert.NotEqual(ReferenceClassifier.CacheKey(Edges(Nets.Shapes)), ReferenceClassifier.CacheKey(Edges(Nets.FashionMnist)));
        Assert.NotEqual(ReferenceClassifier.CacheKey(Edges(Nets.Shapes)), ReferenceClassifier.CacheKey(Nets.Shapes));
        var edgesOfFolder = ReferenceClassifier.CacheKey(Edges(data));
        File.WriteAllText(Path.Combine(dir, "a", "z.png"), "3");
        Assert.NotEqual(edgesOfFolder, ReferenceClassifier.CacheKey(Edges(data)));
    }
}
