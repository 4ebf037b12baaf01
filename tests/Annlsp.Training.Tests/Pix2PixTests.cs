using System.Globalization;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Scoring;
using Annlsp.Training.Export;
using Annlsp.Training.Model;
using Annlsp.Training.Training;
using StbImageSharp;
using StbImageWriteSharp;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>pix2pix on edges(shapes): losses, held-out L1/PSNR against the input-as-answer baseline, previews, resume, sample, export.</summary>
public class Pix2PixTests
{
    /// <summary>A small U-Net and PatchGAN at 32×32, so a few hundred steps take a minute on a CPU.</summary>
    internal const string Source = """
        block Down(c) { leakyrelu(0.2) -> conv(c, kernel: 4, stride: 2, padding: 1) -> batchnorm }
        block Up(c, skip) { relu -> deconv(c, kernel: 4, stride: 2, padding: 1) -> batchnorm -> concat(skip) }

        network UNet {
            input(1x32x32)
            conv(8, kernel: 4, stride: 2, padding: 1)                      as e1   # -> 8x16x16
            Down(16)                                                       as e2   # -> 16x8x8
            leakyrelu(0.2) -> conv(16, kernel: 4, stride: 2, padding: 1)           # -> 16x4x4
            Up(16, e2)                                                             # -> 32x8x8
            Up(8, e1)                                                              # -> 16x16x16
            relu -> deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh            # -> 1x32x32
        }

        network Patch {
            input(2x32x32)
            conv(8, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
            conv(16, kernel: 4, stride: 2, padding: 1) -> batchnorm -> leakyrelu(0.2)
            conv(1, kernel: 4, padding: 1)                                         # -> 1x7x7
        }

        gan Edges { generator: UNet, discriminator: Patch }

        train Edges { data: edges(shapes, size: 32x32), epochs: 2, batch: 16, preview: 6, seed: 3 }
        """;

    private static TrainConfig Config()
    {
        var analysis = DocumentAnalysis.Analyze(Source);
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Select(d => d.Message)));
        var config = Assert.Single(analysis.Trains);
        Assert.Equal(TrainKind.Pix2Pix, config.Kind);
        return config;
    }

    private static (TrainResult Result, CollectingObserver Events) Train(TrainConfig config, string outDir, int limit, int? epochs = null, string? resume = null)
    {
        var events = new CollectingObserver();
        var result = Trainer.Run(new TrainOptions
        {
            Config = config, OutDir = outDir, Limit = limit, Epochs = epochs, ResumeDir = resume, Observer = events, SourceText = Source, ProgressEvery = 10,
        });
        return (result, events);
    }

    [Fact]
    public void Pix2pix_on_edges_of_shapes_beats_the_input_as_answer_previews_triplets_resumes_samples_and_exports()
    {
        var dir = TestSetup.TempDir("pix2pix");
        var config = Config();
        var (result, events) = Train(config, dir, limit: 1600); // 100 steps per epoch, 200 in all
        Assert.True(result.Status == "finished", result.Reason);
        Assert.Equal("pix2pix", events.Events.OfType<StartedEvent>().Single().TargetKind);

        var steps = events.Events.OfType<StepEvent>().ToList();
        Assert.True(steps.Count >= 15);
        Assert.All(steps, s => Assert.True(s.TrainL1 is > 0 && double.IsFinite(s.LossD!.Value)));
        double first = steps.Take(3).Average(s => s.LossG!.Value), last = steps.TakeLast(3).Average(s => s.LossG!.Value);
        Assert.True(last < first * 0.7, $"loss_g did not fall: {string.Join(", ", steps.Select(s => s.LossG))}");
        Assert.True(steps.TakeLast(3).Average(s => s.TrainL1!.Value) < steps.Take(3).Average(s => s.TrainL1!.Value) * 0.7);

        var epochs = events.Events.OfType<EpochEvent>().ToList();
        Assert.Equal(2, epochs.Count);
        var e2 = epochs[1];
        Assert.True(e2.L1 < 0.5 * e2.L1Input, $"held-out L1 {e2.L1} vs the input itself {e2.L1Input}");
        Assert.True(e2.Psnr > e2.PsnrInput + 3, $"held-out PSNR {e2.Psnr} dB vs the input itself {e2.PsnrInput} dB");
        Assert.Equal(epochs[0].L1Input, e2.L1Input); // the same held-out pairs every epoch
        var finished = Assert.IsType<FinishedEvent>(events.Events.Last());
        Assert.Equal(e2.L1, finished.L1);
        // edges of shapes have classes: every epoch scores the translations with the target images' reference classifier
        Assert.Equal("ready", Assert.Single(events.Events.OfType<ReferenceEvent>(), r => r.Status != "training").Status);
        Assert.All(epochs, e =>
        {
            Assert.Equal(4, e.Classes);
            Assert.InRange(e.Confident!.Value, 0, 1);
            Assert.True(e.Fd > 0 && e.ScoreSamples > 1, ProgressJson.Write(e));
        });
        Assert.Equal(e2.Fd, finished.Fd);
        var metricsLines = File.ReadAllLines(Path.Combine(result.RunDir, "metrics.jsonl")).Where(l => l.Contains("\"event\":\"epoch\"")).ToList();
        Assert.Equal(2, metricsLines.Count);
        foreach (var key in new[] { "l1", "psnr", "l1_input", "psnr_input", "loss_d", "loss_g" })
            Assert.True(JsonNode.Parse(metricsLines[1])![key] is not null, key);
        Assert.True(Directory.EnumerateFiles(Path.Combine(result.RunDir, "tensorboard"), "events.out.tfevents*").Any());
        Assert.Equal("pix2pix", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(result.RunDir, "run.json")))!["kind"]);

        // The preview: 6 rows of input | generated | target, 32×32 cells in 2-pixel gutters; the generated image is not constant.
        foreach (var epoch in new[] { 1, 2 })
        {
            var png = Path.Combine(result.RunDir, "samples", $"epoch-{epoch:D3}.png");
            Assert.Contains(events.Events, e => e is SampleEvent s && s.Path == png);
            var img = ImageResult.FromMemory(File.ReadAllBytes(png), StbImageSharp.ColorComponents.RedGreenBlue);
            Assert.Equal((3 * 36, 6 * 36), (img.Width, img.Height));
            byte[] Cell(int row, int col) => Enumerable.Range(0, 32 * 32)
                .Select(k => img.Data[((row * 36 + 2 + k / 32) * img.Width + col * 36 + 2 + k % 32) * 3]).ToArray();
            for (int row = 0; row < 6; row++)
            {
                Assert.True(Cell(row, 1).Distinct().Count() > 10, $"epoch {epoch}, row {row}: the generated image is (nearly) constant");
                Assert.NotEqual(Cell(row, 0), Cell(row, 2)); // the edges are not the drawing
            }
        }

        // Resume: a third epoch from the checkpoint at step 200.
        var (resumed, more) = Train(config, dir, limit: 1600, epochs: 3, resume: result.RunDir);
        Assert.True(resumed.Status == "finished", resumed.Reason);
        Assert.Equal(200L, more.Events.OfType<StartedEvent>().Single().ResumedFrom);
        Assert.Equal([3], more.Events.OfType<EpochEvent>().Select(e => e.Epoch).ToArray());
        Assert.Equal(210L, more.Events.OfType<StepEvent>().First().GlobalStep);
        Assert.True(File.Exists(Path.Combine(result.RunDir, "samples", "epoch-003.png")));

        // `annlsp evaluate`: the latest checkpoint measured on the same held-out pairs gives the last epoch's figures again
        var e3 = more.Events.OfType<EpochEvent>().Single();
        var evaluation = RunEvaluator.Evaluate(result.RunDir);
        Assert.Equal(("pix2pix", 3), (evaluation.Kind, evaluation.Epoch));
        Assert.Equal(e3.Confident!.Value, evaluation.Scores!.Confident, 1e-9);
        Assert.Equal(e3.Fd!.Value, evaluation.Scores.Fd, 1e-3 * evaluation.Scores.Fd);
        var measured = evaluation.Translation!;
        Assert.Equal(e3.L1!.Value, measured.L1, 1e-5);
        Assert.Equal(e3.Psnr!.Value, measured.Psnr, 1e-3);
        Assert.Equal(e3.L1Input!.Value, measured.L1Input, 1e-6);
        Assert.Equal(e3.PsnrInput!.Value, measured.PsnrInput, 1e-3);
        Assert.Contains("--sampler is for diffusion runs", Assert.Throws<TrainingException>(() => RunEvaluator.Evaluate(result.RunDir, sampler: DiffusionSampler.Ddpm)).Message);

        var generator = config.Gan!.Generator!;
        var modelPt = Path.Combine(result.RunDir, "model.pt");

        // `annlsp sample --input`: an edge map of a held-out pair in, a 32×32 image out, close to the pair's target.
        using var data = DataSets.Load(new DataRequest { Data = config.Data, Limit = 8, Seed = 3 });
        var edgesPng = Path.Combine(dir, "edges.png");
        using (var s = File.Create(edgesPng))
            new ImageWriter().WritePng(data.Evaluation!.Inputs![0].contiguous().bytes.ToArray(), 32, 32, StbImageWriteSharp.ColorComponents.Grey, s);
        var translated = Path.Combine(dir, "translated.png");
        Assert.Equal((32, 32), Translator.Translate(generator, modelPt, edgesPng, translated));
        var output = ImageResult.FromMemory(File.ReadAllBytes(translated), StbImageSharp.ColorComponents.Grey).Data;
        var target = data.Evaluation.Images[0].contiguous().bytes.ToArray();
        double meanError = output.Zip(target, (a, b) => Math.Abs(a - b) / 255.0).Average();
        double inputError = data.Evaluation.Inputs[0].contiguous().bytes.ToArray().Zip(target, (a, b) => Math.Abs(a - b) / 255.0).Average();
        Assert.True(meanError < inputError, $"translated L1 {meanError} vs the input's {inputError}");
        // Without --input: the held-out triplets.
        var triplets = Path.Combine(dir, "held-out.png");
        Assert.Equal((3 * 36, 4 * 36), Translator.HeldOut(config, modelPt, triplets, 4));

        // Export: the same input through the trained TorchSharp generator and the exported PyTorch module.
        Assert.True(File.Exists(PythonRunner.Python), "Debian's python3 with python3-torch is needed: sudo apt-get install -y python3-torch");
        var exportDir = Path.Combine(dir, "export");
        using var model = ModelBuilder.Build(generator);
        model.load_py(modelPt);
        model.eval();
        PyTorchExporter.Export(generator, model, exportDir, "test");
        using var x = randn([4, 1, 32, 32]).clamp(-1, 1);
        using var y = model.Predict(x);
        PyTorchPickler.PickleStateDict(Path.Combine(exportDir, "io.pt"), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y });
        var script = Path.Combine(exportDir, "check.py");
        File.WriteAllText(script, $$"""
            import importlib.util, torch
            d = {{PythonRunner.Quote(exportDir)}}
            spec = importlib.util.spec_from_file_location("UNet", d + "/UNet.py")
            mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
            model = mod.UNet()
            model.load_state_dict(torch.load(d + "/UNet.pt"), strict=True)
            model.eval()
            io = torch.load(d + "/io.pt")
            with torch.no_grad():
                y = model(io["x"])
            print(tuple(y.shape) == tuple(io["y"].shape), float((y - io["y"]).abs().max()))
            """);
        var parts = PythonRunner.Run(script).Trim().Split(' ');
        Assert.Equal("True", parts[0]);
        Assert.True(double.Parse(parts[1], CultureInfo.InvariantCulture) <= 1e-4, $"max abs difference {parts[1]}");
    }
}
