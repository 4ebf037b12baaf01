using System.Globalization;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Export;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using StbImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>Diffusion models on slices of `shapes`: training, EMA and resume, sampling, previews and the PyTorch export.</summary>
public class DiffusionTests
{
    /// <summary>A small denoiser of shapes that reads `time`, for tests of diffusion runs.</summary>
    internal const string TinyDenoiser = """
        network Denoiser {
            input(1x28x28)
            conv(16, kernel: 3, padding: same) -> relu
            add(time -> dense(16))
            conv(16, kernel: 3, padding: same) -> relu
            conv(1, kernel: 3, padding: same)
        }

        """;

    /// <summary>The small denoiser's diffusion and training; `{0}` is the diffusion's extra properties, `{1}` the train block's.</summary>
    private const string Source = TinyDenoiser + """
        diffusion Shapes {
            denoiser: Denoiser
            steps: 100
            schedule: cosine
            sampler: ddim(8)
            ema: 0.9
            time_embed: 16
            {0}
        }
        train Shapes {
            data: shapes
            epochs: 2
            batch: 32
            optimizer: adam(lr: 2e-3)
            preview: 3x3
            score_samples: 0
            seed: 3
            {1}
        }
        """;

    private static TrainConfig Config(string diffusionExtra = "", string trainExtra = "")
    {
        var analysis = DocumentAnalysis.Analyze(Source.Replace("{0}", diffusionExtra).Replace("{1}", trainExtra));
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Where(d => d.IsError).Select(d => d.Message)));
        return Assert.Single(analysis.Trains);
    }

    private static (TrainResult Result, CollectingObserver Events) Train(TrainConfig config, string dir, int limit, int? epochs = null, string? resume = null)
    {
        var events = new CollectingObserver();
        var result = Trainer.Run(new TrainOptions
        {
            Config = config, OutDir = dir, Limit = limit, Epochs = epochs, ResumeDir = resume, Observer = events, SourceText = "test", ProgressEvery = 5, TensorBoard = false,
        });
        Assert.True(result.Status == "finished", result.Reason);
        return (result, events);
    }

    private static ImageResult Png(string path) => ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);

    [Theory]
    [InlineData("noise")]
    [InlineData("velocity")]
    public void Training_lowers_the_loss_and_writes_a_sample_grid_and_a_trajectory_every_epoch(string prediction)
    {
        var dir = TestSetup.TempDir("diffusion");
        var (result, events) = Train(Config($"predict: {prediction}"), dir, limit: 640, epochs: 3);
        Assert.Equal("diffusion", events.Events.OfType<StartedEvent>().Single().TargetKind);
        var losses = events.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToList();
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        // predicting zero scores about 1.0 (ε and v have about unit variance); a denoiser that learnt something scores clearly less
        Assert.True(losses.Take(3).Average() > losses.TakeLast(3).Average() + 0.1, $"the loss did not fall: {string.Join(", ", losses.Select(l => l.ToString("0.000", CultureInfo.InvariantCulture)))}");
        var samples = events.Events.OfType<SampleEvent>().ToList();
        Assert.Equal([1, 2, 3], samples.Select(s => s.Epoch).ToArray());
        foreach (var s in samples)
        {
            var grid = Png(s.Path);
            Assert.Equal((3 * 32, 3 * 32), (grid.Width, grid.Height));
            var inner = Enumerable.Range(0, 28 * 28).Select(k => grid.Data[((2 + k / 28) * grid.Width + 2 + k % 28) * 3]).ToArray();
            Assert.True(inner.Distinct().Count() > 10, "the sample is (nearly) constant");
            Assert.Equal(RunFolder.TrajectoryPathFor(s.Path), s.Trajectory);
            var trajectory = Png(s.Trajectory!);
            Assert.Equal((DiffusionProcess.TrajectoryFrames * 32, DiffusionProcess.TrajectorySamples * 32), (trajectory.Width, trajectory.Height));
            // the first frame is noise, the last the sample: they differ
            var first = Enumerable.Range(0, 28 * 28).Select(k => trajectory.Data[((2 + k / 28) * trajectory.Width + 2 + k % 28) * 3]).ToArray();
            var last = Enumerable.Range(0, 28 * 28).Select(k => trajectory.Data[((2 + k / 28) * trajectory.Width + 9 * 32 + 2 + k % 28) * 3]).ToArray();
            Assert.NotEqual(first, last);
        }
        var run = RunFolder.Open(result.RunDir).ReadRunJson()!;
        Assert.Equal("diffusion", (string?)run["kind"]);
        Assert.Equal("cosine", (string?)run["networks"]!["diffusion"]!["schedule"]);
        Assert.Equal(prediction, (string?)run["networks"]!["diffusion"]!["predict"]);
        Assert.Contains(prediction == "noise" ? "true noise" : "true velocity", (string?)run["loss"]);
        Assert.True(File.Exists(Path.Combine(result.RunDir, RunFolder.ModelFile)));
    }

    [Fact]
    public void Resume_continues_with_the_same_moving_average_as_an_uninterrupted_run()
    {
        var config = Config();
        var (straight, _) = Train(config, TestSetup.TempDir("diffusion-straight"), limit: 320, epochs: 2);
        var dir = TestSetup.TempDir("diffusion-resumed");
        var (first, _) = Train(config, dir, limit: 320, epochs: 1);
        var (resumed, events) = Train(config, dir, limit: 320, epochs: 2, resume: first.RunDir);
        Assert.Equal(10L, events.Events.OfType<StartedEvent>().Single().ResumedFrom);
        var (a, _) = RunFolder.LoadCheckpoint(Path.Combine(straight.RunDir, RunFolder.CheckpointFile));
        var (b, _) = RunFolder.LoadCheckpoint(Path.Combine(resumed.RunDir, RunFolder.CheckpointFile));
        var emaKeys = a.Keys.Where(k => k.StartsWith("ema.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(emaKeys);
        foreach (var key in emaKeys)
            Assert.True(a[key].allclose(b[key], rtol: 0, atol: 1e-6), $"{key} differs after the resume");
        // the average is not the trained weights themselves (ema 0.9)
        Assert.False(a["ema.layers.0.weight"].allclose(a["model.layers.0.weight"], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Sampling_with_a_seed_is_reproducible_and_both_samplers_draw_images()
    {
        var dir = TestSetup.TempDir("diffusion-sample");
        var config = Config();
        var (result, _) = Train(config, dir, limit: 320, epochs: 1);
        var model = Path.Combine(result.RunDir, RunFolder.ModelFile);
        var diffusion = config.Diffusion!;
        byte[] Draw(string name, int seed, DiffusionSampler sampler)
        {
            var png = Path.Combine(dir, name);
            DiffusionSampling.Sample(diffusion, model, png, new Pair(2, 3), seed, sampler, trajectoryPng: png + ".trajectory.png");
            Assert.True(File.Exists(png + ".trajectory.png"));
            return Png(png).Data;
        }
        var ddim = Draw("a.png", 7, DiffusionSampler.Ddim(8));
        Assert.Equal(ddim, Draw("b.png", 7, DiffusionSampler.Ddim(8)));
        Assert.NotEqual(ddim, Draw("c.png", 8, DiffusionSampler.Ddim(8)));
        var ddpm = Draw("d.png", 7, DiffusionSampler.Ddpm);
        Assert.Equal(ddpm, Draw("e.png", 7, DiffusionSampler.Ddpm));
        Assert.NotEqual(ddim, ddpm);
        Assert.True(ddpm.Distinct().Count() > 10);
    }

    [Theory]
    [InlineData("noise", 0.5)]
    [InlineData("velocity", 0.5)]
    [InlineData("image", 0.5)]
    [InlineData("noise", 0.999)]
    [InlineData("velocity", 0.999)]
    [InlineData("image", 0.999)]
    public void Each_prediction_turns_the_output_it_is_trained_to_give_back_into_the_clean_image(string prediction, double t)
    {
        var diffusion = Config($"predict: {prediction}").Diffusion!;
        using var process = new DiffusionProcess(diffusion, CPU);
        int step = (int)(t * (diffusion.Schedule.Steps - 1));
        double alphaBar = diffusion.Schedule.AlphaBars[step];
        using var x0 = rand([4, 1, 28, 28], generator: new Generator(5)) * 2 - 1;
        using var noise = randn([4, 1, 28, 28], generator: new Generator(6));
        using var steps = full([4], step, dtype: ScalarType.Int64);
        using var xt = process.Noised(x0, steps, noise);
        using var target = process.TrainingTarget(x0, steps, noise);
        using var back = process.PredictedImage(xt, target, alphaBar);
        // at step 0.999·T the cosine schedule leaves √ᾱ ≈ 0.016: the division of noise-prediction magnifies float error 60-fold
        double tolerance = prediction == "noise" ? 1e-3 : 1e-5;
        double diff = (back - x0).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"{prediction} at step {step}: x̂₀ is {diff:g3} off the image it came from");
        if (prediction != "noise") Assert.False(target.allclose(noise, rtol: 0, atol: 1e-3), "the target is the noise itself");
    }

    [Theory]
    [InlineData("noise")]
    [InlineData("velocity")]
    [InlineData("image")]
    public void The_exported_sample_function_draws_the_products_images_from_the_same_weights_and_noise(string prediction)
    {
        Assert.True(File.Exists(PythonRunner.Python), "Debian's python3 with python3-torch is needed: sudo apt-get install -y python3-torch");
        var dir = TestSetup.TempDir("diffusion-export");
        var config = Config(trainExtra: "", diffusionExtra: $"predict: {prediction}");
        var (result, _) = Train(config, dir, limit: 320, epochs: 1);
        var diffusion = config.Diffusion!;
        var denoiser = diffusion.Denoiser!;
        using var model = Annlsp.Training.Model.ModelBuilder.Build(denoiser);
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_py(model, Path.Combine(result.RunDir, RunFolder.ModelFile));
        model.eval();
        PyTorchExporter.Export(denoiser, model, dir, "test.ann");
        DiffusionExport.Write(diffusion, dir, "test.ann");
        using var process = new DiffusionProcess(diffusion, CPU);
        using var start = randn([6, 1, 28, 28], generator: new Generator(11));
        var startFile = Path.Combine(dir, "start.npy");
        File.WriteAllText(startFile + ".txt", string.Join(" ", start.data<float>().ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        foreach (var sampler in new[] { DiffusionSampler.Ddim(8), DiffusionSampler.Ddim(100) })
        {
            using var _ = no_grad();
            using var images = process.Sample((x, t) => DiffusionProcess.Denoise(model, x, t), start, sampler);
            var script = Path.Combine(dir, "compare.py");
            File.WriteAllText(script, $$"""
                import sys, torch
                sys.path.insert(0, {{PythonRunner.Quote(dir)}})
                from Shapes import load, sample
                model = load({{PythonRunner.Quote(Path.Combine(dir, "Denoiser.pt"))}})
                values = [float(v) for v in open({{PythonRunner.Quote(startFile + ".txt")}}).read().split()]
                start = torch.tensor(values, dtype=torch.float32).reshape(6, 1, 28, 28)
                images = sample(model, start, "{{sampler}}")
                print(" ".join(repr(float(v)) for v in images.flatten().tolist()))
                """);
            var python = PythonRunner.Run(script).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var product = images.data<float>().ToArray();
            Assert.Equal(product.Length, python.Length);
            double maxDiff = product.Select((v, i) => Math.Abs(v - python[i])).Max();
            Assert.True(maxDiff <= 1e-4, $"{sampler}: max abs difference {maxDiff:g3} between annlsp and the exported sample()");
        }
    }
}
