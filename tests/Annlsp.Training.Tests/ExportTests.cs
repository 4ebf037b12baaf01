using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Export;
using Annlsp.Training.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

public class ExportTests
{
    private const string Python = PythonRunner.Python;

    /// <summary>Networks that use every layer kind (LayerKindCoverageTests holds it to that), exported and compared with TorchSharp.</summary>
    internal const string Source = """
        block ConvBlock(filters) {
            conv(filters, kernel: 3, padding: same)
            batchnorm
            relu
        }

        network Mixed {
            input(3x20x20)
            ConvBlock(8)
            conv(8, kernel: 3, padding: 1, groups: 8)      # depthwise
            conv(16, kernel: 1, groups: 2) -> relu
            conv(8, kernel: 1)
            residual {
                conv(8, kernel: 3, padding: 1) -> batchnorm -> gelu
            }
            groupnorm(4) -> instancenorm -> pad(1x2)       # -> 8x22x24
            conv(8, kernel: 3x5)                           # -> 8x20x20
            pool(avg, 2)                                   # -> 8x10x10
            upsample(2, mode: bilinear)                    # -> 8x20x20
            conv(4, kernel: 3x5, stride: 2, dilation: 2) -> elu(0.5)  # -> 4x8x6
            deconv(6, kernel: 4, stride: 2, padding: 1, output_padding: 1) -> leakyrelu(0.1)
            pool(max, 2)
            globalpool(max)
            batchnorm
            dense(12) -> silu -> tanh
            dropout(0.3)
            dense(5, bias: false)
            softmax
        }

        network Gen {
            input(16)
            dense(32 * 4 * 4) -> relu6
            reshape(32x4x4)
            upsample(2)
            deconv(1, kernel: 4, stride: 2, padding: 1) -> sigmoid
        }

        network Disc {
            input(1x16x16)
            conv(8, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
            minibatchstd(3)                                # -> 9x8x8; a batch of 8 is split into groups of 2
            flatten
            dense(1)
            sigmoid
        }
        """;

    [Fact]
    public void Exported_PyTorch_modules_load_in_Debian_PyTorch_and_give_TorchSharps_outputs()
    {
        Assert.True(File.Exists(Python), "Debian's python3 with python3-torch is needed: sudo apt-get install -y python3-torch");
        var analysis = DocumentAnalysis.Analyze(Source);
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Select(d => d.Message)));
        var lenet = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(TestSetup.RepoRoot(), "examples", "lenet.ann"))).Networks["LeNet5"];
        var networks = analysis.Networks.Values.Append(lenet).ToList();
        var dir = TestSetup.TempDir("export");
        torch.manual_seed(3);
        foreach (var network in networks)
        {
            using var model = ModelBuilder.Build(network);
            // Move the batch-norm running statistics away from their initial values first.
            model.train();
            using (no_grad())
                for (int i = 0; i < 3; i++) { using var warm = randn([8, .. network.Input.Dims]).mul(2).add(0.5); model.forward(warm).Dispose(); }
            model.eval();
            PyTorchExporter.Export(network, model, dir, "test");
            using var x = randn([4, .. network.Input.Dims]);
            using var y = model.Predict(x);
            PyTorchPickler.PickleStateDict(Path.Combine(dir, network.Name + ".io.pt"), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y });
        }
        var script = Path.Combine(dir, "check.py");
        File.WriteAllText(script, $$"""
            import importlib.util, sys, torch
            sys.path.insert(0, {{PythonRunner.Quote(dir)}})
            for name in {{"[" + string.Join(", ", networks.Select(n => PythonRunner.Quote(n.Name))) + "]"}}:
                spec = importlib.util.spec_from_file_location(name, {{PythonRunner.Quote(dir)}} + "/" + name + ".py")
                mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
                model = getattr(mod, name)()
                model.load_state_dict(torch.load({{PythonRunner.Quote(dir)}} + "/" + name + ".pt"), strict=True)
                model.eval()
                io = torch.load({{PythonRunner.Quote(dir)}} + "/" + name + ".io.pt")
                with torch.no_grad():
                    y = model(io["x"])
                print(name, tuple(y.shape) == tuple(io["y"].shape), float((y - io["y"]).abs().max()))
            """);
        var stdout = PythonRunner.Run(script);
        foreach (var network in networks)
        {
            var line = stdout.Split('\n').Single(l => l.StartsWith(network.Name + " "));
            var parts = line.Split(' ');
            Assert.Equal("True", parts[1]);
            Assert.True(double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) < 1e-4, line);
        }
    }

    [Fact]
    public void A_module_exported_with_the_runs_standardisation_feeds_pixels_as_the_trainer_did()
    {
        Assert.True(File.Exists(Python), "Debian's python3 with python3-torch is needed: sudo apt-get install -y python3-torch");
        var lenet = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(TestSetup.RepoRoot(), "examples", "lenet.ann"))).Networks["LeNet5"];
        var dir = TestSetup.TempDir("export-std");
        torch.manual_seed(5);
        using var model = ModelBuilder.Build(lenet);
        model.eval();
        double[] mean = [0.2860405969887955], std = [0.3530242445149226];
        PyTorchExporter.Export(lenet, model, dir, "test", (mean, std));
        using var bytes = randint(0, 256, [3, 1, 28, 28], dtype: ScalarType.Byte);
        using var standardiser = new Annlsp.Training.Data.InputStandardisation(mean, std, CPU);
        using var x = standardiser.Apply(bytes);
        using var y = model.Predict(x);
        PyTorchPickler.PickleStateDict(Path.Combine(dir, "LeNet5.io.pt"), new Dictionary<string, Tensor> { ["pixels"] = bytes.to_type(ScalarType.Float32), ["y"] = y });
        var script = Path.Combine(dir, "check.py");
        File.WriteAllText(script, $$"""
            import importlib.util, sys, torch
            spec = importlib.util.spec_from_file_location("LeNet5", {{PythonRunner.Quote(dir)}} + "/LeNet5.py")
            mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
            model = mod.LeNet5()
            model.load_state_dict(torch.load({{PythonRunner.Quote(dir)}} + "/LeNet5.pt"), strict=True)
            model.eval()
            io = torch.load({{PythonRunner.Quote(dir)}} + "/LeNet5.io.pt")
            with torch.no_grad():
                y = model(model.standardise(io["pixels"]))
            print(model.input_mean, model.input_std, float((y - io["y"]).abs().max()))
            """);
        var stdout = PythonRunner.Run(script);
        var parts = stdout.Trim().Split(' ');
        Assert.Equal("(0.2860405969887955,)", parts[0]);
        Assert.Equal("(0.3530242445149226,)", parts[1]);
        Assert.True(double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) < 1e-4, stdout);
    }
}
