using Annlsp.Progress;
using System.Text.Json.Nodes;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using StbImageSharp;
using static Annlsp.Training.Tests.Nets;

namespace Annlsp.Training.Tests;

public class TrainingTests
{
    private static (TrainResult Result, CollectingObserver Events) Train(Annlsp.Language.Semantics.TrainConfig config, string outDir, int? limit = null, int? epochs = null, string? resume = null, CancellationToken cancel = default)
    {
        var events = new CollectingObserver();
        var result = Trainer.Run(new TrainOptions
        {
            Config = config, OutDir = outDir, Limit = limit, Epochs = epochs, ResumeDir = resume, Observer = events, Cancellation = cancel,
            SourceText = "test", ProgressEvery = 10,
        });
        return (result, events);
    }

    [Fact]
    public void Classifier_on_shapes_lowers_its_loss_and_beats_chance_widely_and_writes_the_run_folder()
    {
        var dir = TestSetup.TempDir("cls");
        var (result, events) = Train(Classifier(LeNet(4), Shapes, epochs: 2, batch: 32), dir, limit: 3000);
        Assert.True(result.Status == "finished", result.Reason);
        var steps = events.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToList();
        Assert.True(steps.Count >= 10);
        Assert.True(steps.Skip(steps.Count - 3).Average() < steps.Take(3).Average() * 0.6, $"loss did not fall: {string.Join(", ", steps)}");
        var epochsDone = events.Events.OfType<EpochEvent>().ToList();
        Assert.Equal(2, epochsDone.Count);
        Assert.True(epochsDone[1].Accuracy!.Value > 0.8, $"accuracy {epochsDone[1].Accuracy!.Value} (chance is 0.25)");
        Assert.True(epochsDone[1].Loss < epochsDone[0].Loss);

        var started = Assert.IsType<StartedEvent>(events.Events.First());
        Assert.Equal("cpu", started.Device);
        Assert.Equal(result.RunDir, started.RunDir);
        Assert.Equal("finished", events.Events.Last().Kind);
        Assert.Matches(@"LeNet5[/\\]\d{8}-\d{6}$", result.RunDir);

        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(result.RunDir, "run.json")))!;
        Assert.Equal("LeNet5", (string?)run["target"]);
        Assert.Equal("cpu", (string?)run["device"]);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(result.RunDir, "metrics.jsonl")).Count(l => l.Contains("\"event\":\"epoch\"")));
        Assert.True(File.Exists(Path.Combine(result.RunDir, "model.pt")));
        Assert.True(File.Exists(Path.Combine(result.RunDir, RunFolder.CheckpointFile)));
        var png = Path.Combine(result.RunDir, "samples", "epoch-002.png");
        var img = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
        Assert.Equal(4 * (28 * 2 + 4), img.Width); // 4×4 grid, images doubled, 2-pixel frames
        Assert.Contains(events.Events, e => e is SampleEvent s && s.Path == png);
        Assert.True(Directory.EnumerateFiles(Path.Combine(result.RunDir, "tensorboard"), "events.out.tfevents*").Any());
    }

    [Fact]
    public void LeNet_on_a_slice_of_Fashion_MNIST_learns_within_a_few_hundred_steps()
    {
        var dir = TestSetup.TempDir("fmnist");
        var (result, events) = Train(Classifier(LeNet(10), FashionMnist, epochs: 2, batch: 32), dir, limit: 4000);
        Assert.True(result.Status == "finished", result.Reason);
        var epochs = events.Events.OfType<EpochEvent>().ToList();
        Assert.True(epochs[1].Loss < epochs[0].Loss);
        Assert.Equal(4000, events.Events.OfType<StartedEvent>().First().Train);
        Assert.Equal(4000, events.Events.OfType<StartedEvent>().First().Evaluation); // --limit also caps the test set (at max(N, 500))
        Assert.True(epochs[1].Accuracy!.Value > 0.6, $"accuracy {epochs[1].Accuracy!.Value} after 250 steps (chance: 0.1)");
    }

    [Fact]
    public void Same_seed_gives_the_same_run_on_cpu()
    {
        var dir = TestSetup.TempDir("seed");
        var a = Train(Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, seed: 7), dir, limit: 640).Events.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToList();
        var b = Train(Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, seed: 7), dir, limit: 640).Events.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToList();
        Assert.NotEmpty(a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Gan_on_shapes_writes_non_constant_sample_grids_of_the_right_size()
    {
        var dir = TestSetup.TempDir("gan");
        var (result, events) = Train(Gan(epochs: 2, batch: 64), dir, limit: 640);
        Assert.True(result.Status == "finished", result.Reason);
        var epochEvents = events.Events.OfType<EpochEvent>().ToList();
        Assert.Equal(2, epochEvents.Count);
        foreach (var value in new[] { epochEvents[1].LossG, epochEvents[1].LossD, epochEvents[1].DX, epochEvents[1].DGZ }) Assert.True(double.IsFinite(value!.Value));
        Assert.True(double.IsFinite(Assert.IsType<FinishedEvent>(events.Events.Last()).LossG!.Value));
        foreach (var epoch in new[] { 1, 2 })
        {
            var png = Path.Combine(result.RunDir, "samples", $"epoch-{epoch:D3}.png");
            var img = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
            Assert.Equal(4 * (28 + 4), img.Width);
            Assert.Equal(4 * (28 + 4), img.Height);
            var inner = Enumerable.Range(0, 28 * 28).Select(k => img.Data[((2 + k / 28) * img.Width + 2 + k % 28) * 3]).ToArray();
            Assert.True(inner.Distinct().Count() > 10, "the generated image is (nearly) constant");
        }
        Assert.True(File.Exists(Path.Combine(result.RunDir, "model.pt")));
        Assert.True(File.Exists(Path.Combine(result.RunDir, "discriminator.pt")));

        // `annlsp sample`: a grid from the trained generator
        var sample = Path.Combine(dir, "sample.png");
        var (w, h) = Sampler.Sample(Generator(), Path.Combine(result.RunDir, "model.pt"), sample, new Annlsp.Language.Semantics.Pair(3, 5), seed: 4);
        var grid = ImageResult.FromMemory(File.ReadAllBytes(sample), ColorComponents.RedGreenBlue);
        Assert.Equal((5 * 32, 3 * 32), (grid.Width, grid.Height));
        Assert.Equal((w, h), (grid.Width, grid.Height));
        Assert.True(grid.Data.Distinct().Count() > 10);
    }

    [Fact]
    public void Resume_continues_from_the_checkpoint_step()
    {
        var dir = TestSetup.TempDir("resume");
        var config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 32);
        var (first, _) = Train(config, dir, limit: 320);
        Assert.Equal("finished", first.Status);
        var (_, meta) = RunFolder.LoadCheckpoint(Path.Combine(first.RunDir, RunFolder.CheckpointFile));
        Assert.Equal(1, (int)meta["epoch"]!);
        Assert.Equal(10L, (long)meta["globalStep"]!);

        var (second, events) = Train(config, dir, limit: 320, epochs: 3, resume: first.RunDir);
        Assert.True(second.Status == "finished", second.Reason);
        Assert.Equal(first.RunDir, second.RunDir);
        Assert.Equal(10L, events.Events.OfType<StartedEvent>().First().ResumedFrom);
        var steps = events.Events.OfType<StepEvent>().Select(e => e.GlobalStep).ToList();
        Assert.Equal(20L, steps.First());
        Assert.Equal(30L, steps.Last());
        Assert.Equal([2, 3], events.Events.OfType<EpochEvent>().Select(e => e.Epoch).ToArray());
    }

    [Fact]
    public void Model_pt_and_checkpoint_hold_the_trained_weights()
    {
        var dir = TestSetup.TempDir("weights");
        var (result, _) = Train(Classifier(LeNet(4), Shapes, epochs: 1, batch: 32), dir, limit: 960);
        Assert.Equal("finished", result.Status);
        using var fromPt = Annlsp.Training.Model.ModelBuilder.Build(LeNet(4));
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_py(fromPt, Path.Combine(result.RunDir, RunFolder.ModelFile));
        var (tensors, _) = RunFolder.LoadCheckpoint(Path.Combine(result.RunDir, RunFolder.CheckpointFile));
        foreach (var (key, value) in fromPt.state_dict())
            Assert.True(value.allclose(tensors["model." + key]), key);
        using var fresh = Annlsp.Training.Model.ModelBuilder.Build(LeNet(4));
        Assert.False(fresh.state_dict()["layers.11.weight"].allclose(fromPt.state_dict()["layers.11.weight"]));
        // the exported weights are the trained ones: they classify the test shapes well (fed as the trainer fed them, standardised)
        var stats = Annlsp.Training.Data.InputStandardisation.Read(JsonNode.Parse(File.ReadAllText(Path.Combine(result.RunDir, "run.json")))!["data"]!["normalisation"])!.Value;
        using var x = TorchSharp.torch.tensor(Annlsp.Training.Data.ShapesDataSet.Generate(200, 5).Pixels, [200L, 1, 28, 28]).to_type(TorchSharp.torch.ScalarType.Float32).div(255).sub(stats.Mean[0]).div(stats.Std[0]);
        using var y = TorchSharp.torch.tensor(Annlsp.Training.Data.ShapesDataSet.Generate(200, 5).Labels);
        fromPt.eval();
        double accuracy = fromPt.forward(x).argmax(1).eq(y).to_type(TorchSharp.torch.ScalarType.Float32).mean().item<float>();
        Assert.True(accuracy > 0.45, $"accuracy {accuracy} (chance: 0.25)");
    }

    [Fact]
    public void Cancellation_stops_after_the_current_step_with_a_checkpoint_that_resumes_mid_epoch()
    {
        var dir = TestSetup.TempDir("cancel");
        using var cts = new CancellationTokenSource();
        var config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 16);
        var events = new CollectingObserver { Callback = e => { if (e is StepEvent { GlobalStep: >= 20 }) cts.Cancel(); } };
        var result = Trainer.Run(new TrainOptions { Config = config, OutDir = dir, Limit = 800, Observer = events, Cancellation = cts.Token, ProgressEvery = 10, TensorBoard = false });
        Assert.Equal("stopped", result.Status);
        Assert.Equal("stopped", Assert.IsType<FinishedEvent>(events.Events.Last()).Status);
        var (_, meta) = RunFolder.LoadCheckpoint(Path.Combine(result.RunDir, RunFolder.CheckpointFile));
        Assert.Equal(20L, (long)meta["globalStep"]!);
        Assert.Equal(20, (int)meta["stepInEpoch"]!);

        var (resumed, ev2) = Train(config, dir, limit: 800, resume: result.RunDir);
        Assert.Equal("finished", resumed.Status);
        Assert.Equal(50L, ev2.Events.OfType<StepEvent>().Select(e => e.GlobalStep).Last());
    }

    [Fact]
    public void Nan_loss_fails_the_run_with_a_reason()
    {
        var dir = TestSetup.TempDir("nan");
        var (result, events) = Train(Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, opt: Sgd(1e12)), dir, limit: 640);
        Assert.Equal("failed", result.Status);
        var failed = Assert.IsType<FailedEvent>(events.Events.Last());
        Assert.Matches("NaN|infinite", failed.Reason);
        Assert.Contains("learning rate", failed.Reason);
    }

    [Fact]
    public void A_missing_data_set_is_a_clear_failure()
    {
        var dir = TestSetup.TempDir("missing");
        var missing = Path.Combine(dir, "no-mnist-here");
        var (result, events) = Train(Classifier(LeNet(10), Shapes with { Name = "mnist", Directory = missing }, epochs: 1), dir);
        Assert.Equal("failed", result.Status);
        var reason = Assert.IsType<FailedEvent>(events.Events.Last()).Reason;
        Assert.Contains(missing, reason);
        Assert.Contains("train-images-idx3-ubyte", reason);
    }
    /// <summary>A workspace with `linkout → a folder outside it`; the .ann file lies in the workspace.</summary>
    private static (string Workspace, string Source, string Outside) LinkedWorkspace()
    {
        var workspace = TestSetup.TempDir("ws");
        var outside = TestSetup.TempDir("outside");
        Directory.CreateSymbolicLink(Path.Combine(workspace, "linkout"), outside);
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        var source = Path.Combine(workspace, "net.ann");
        File.WriteAllText(source, "# the trainer reads only the path");
        return (workspace, source, outside);
    }

    [Theory]
    [InlineData("linkout")]
    [InlineData("linkout/sub/../deeper")]
    [InlineData("linkout/sub")]
    [InlineData(null)] // runs/ itself a link
    public void A_run_folder_that_really_lies_outside_the_files_folder_is_refused(string? @out)
    {
        var (workspace, source, outside) = LinkedWorkspace();
        if (@out is null) Directory.CreateSymbolicLink(Path.Combine(workspace, "runs"), outside);
        var events = new CollectingObserver();
        var result = Trainer.Run(new TrainOptions
        {
            Config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, @out: @out), SourcePath = source, SourceText = "test", Limit = 64, Observer = events, TensorBoard = false,
        });
        Assert.Equal("failed", result.Status);
        var reason = Assert.IsType<FailedEvent>(events.Events.Single()).Reason;
        Assert.Contains($"the run folder \"{@out ?? "runs"}\" resolves to {outside}", reason);
        Assert.Contains($"outside {workspace}, the .ann file's folder", reason);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outside), e => Path.GetFileName(e) != "sub");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(outside, "sub")));
    }

    [Fact]
    public void A_link_that_stays_inside_the_files_folder_is_followed_and_the_real_path_reported()
    {
        var (workspace, source, _) = LinkedWorkspace();
        Directory.CreateDirectory(Path.Combine(workspace, "real-runs"));
        Directory.CreateSymbolicLink(Path.Combine(workspace, "inner"), Path.Combine(workspace, "real-runs"));
        var result = Trainer.Run(new TrainOptions
        {
            Config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, @out: "inner"), SourcePath = source, SourceText = "test", Limit = 64, TensorBoard = false,
        });
        Assert.True(result.Status == "finished", result.Reason);
        Assert.StartsWith(Path.Combine(workspace, "real-runs", "LeNet5") + "/", result.RunDir);
    }

    /// <summary>14 class folders into a network with 2 outputs: said before `started`, not LibTorch's "Target 13 is out of bounds".</summary>
    [Fact]
    public void More_image_classes_than_outputs_fail_before_training_starts()
    {
        var dir = TestSetup.TempDir("classes");
        var writer = new StbImageWriteSharp.ImageWriter();
        foreach (var c in Enumerable.Range(0, 14))
        {
            Directory.CreateDirectory(Path.Combine(dir, $"c{c:D2}"));
            using var s = File.Create(Path.Combine(dir, $"c{c:D2}", "0.png"));
            writer.WritePng(Enumerable.Repeat((byte)(c * 10), 28 * 28).ToArray(), 28, 28, StbImageWriteSharp.ColorComponents.Grey, s);
        }
        var data = new Annlsp.Language.Semantics.DataSetRef("images", dir, S(1, 28, 28), 0, []);
        var (result, events) = Train(Classifier(LeNet(2), data, epochs: 1, batch: 4), TestSetup.TempDir("classes-out"));
        Assert.Equal("failed", result.Status);
        Assert.DoesNotContain(events.Events, e => e is StartedEvent);
        Assert.Equal($"images(\"{dir}\") ({dir}) has 14 class folders (c00, c01, c02, c03, c04, c05, …), but LeNet5 outputs 2 scores; make its last layer dense(14), or keep 2 class folders",
            Assert.IsType<FailedEvent>(events.Events.Single()).Reason);
    }

    /// <summary>A resume of a finished run trains nothing, rewrites nothing and reports the run's real metrics (not NaN).</summary>
    [Fact]
    public void Resuming_a_finished_run_says_already_finished()
    {
        var dir = TestSetup.TempDir("finished");
        var config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 32);
        var (first, firstEvents) = Train(config, dir, limit: 320);
        Assert.Equal("finished", first.Status);
        var model = File.ReadAllBytes(Path.Combine(first.RunDir, RunFolder.ModelFile));
        var metrics = File.ReadAllText(Path.Combine(first.RunDir, RunFolder.MetricsFile));
        var lastEpoch = firstEvents.Events.OfType<EpochEvent>().Last();

        var (again, events) = Train(config, dir, limit: 320, resume: first.RunDir);
        Assert.Equal("finished", again.Status);
        var finished = Assert.IsType<FinishedEvent>(Assert.Single(events.Events));
        Assert.True(finished.AlreadyFinished);
        Assert.Contains("has already finished: it trained 1 epochs and 1 are asked for", finished.Message);
        Assert.Equal(Math.Round(lastEpoch.Loss!.Value, 6), finished.Loss);
        Assert.Equal(Math.Round(lastEpoch.Accuracy!.Value, 6), finished.Accuracy);
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(first.RunDir, RunFolder.ModelFile)));
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(first.RunDir, RunFolder.MetricsFile)));
    }
}
