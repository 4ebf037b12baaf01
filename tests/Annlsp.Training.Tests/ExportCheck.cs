using System.Globalization;
using Annlsp.Language.Semantics;
using Annlsp.Training.Export;
using Annlsp.Training.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>What one network's round trip through Debian's PyTorch gave.</summary>
internal sealed record ExportComparison(string Name, bool SameShape, double MaxDiff, bool BackSameShape, double BackMaxDiff);

/// <summary>
/// The TorchSharp module and the exported PyTorch module, compared both ways in one python process for
/// many networks: (1) TorchSharp's weights (batch-norm statistics moved off their start) exported,
/// loaded strictly into the exported class, same input → outputs compared; (2) the exported class's own
/// freshly initialised weights saved by PyTorch, loaded into the TorchSharp module → outputs compared.
/// </summary>
internal static class ExportCheck
{
    public static IReadOnlyList<ExportComparison> Compare(IReadOnlyList<NetworkModel> networks, string dir, int seed = 3)
    {
        Assert.True(File.Exists(PythonRunner.Python), "Debian's python3 with python3-torch is needed: sudo apt-get install -y python3-torch");
        torch.manual_seed(seed);
        foreach (var network in networks)
        {
            using var model = ModelBuilder.Build(network);
            var time = network.Graph.TimeId is { } t ? network.Graph.Nodes[t].Output : null;
            model.train();
            using (no_grad())
                for (int i = 0; i < 3; i++)
                {
                    using var scope = NewDisposeScope();
                    var warm = randn([8, .. network.Input.Dims]).mul(2).add(0.5);
                    (time is null ? model.forward(warm) : model.forward(warm, randn([8, .. time.Dims]))).Dispose();
                }
            model.eval();
            PyTorchExporter.Export(network, model, dir, "test");
            using var x = randn([4, .. network.Input.Dims]);
            using var tt = time is null ? null : randn([4, .. time.Dims]);
            using var y = Predict(model, x, tt);
            var io = new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y };
            if (tt is not null) io["t"] = tt;
            PyTorchPickler.PickleStateDict(Path.Combine(dir, network.Name + ".io.pt"), io);
        }
        var script = Path.Combine(dir, "check.py");
        File.WriteAllText(script, $$"""
            import importlib.util, sys, torch
            torch.manual_seed(7)
            d = {{PythonRunner.Quote(dir)}}
            sys.path.insert(0, d)
            for name in {{"[" + string.Join(", ", networks.Select(n => PythonRunner.Quote(n.Name))) + "]"}}:
                spec = importlib.util.spec_from_file_location(name, d + "/" + name + ".py")
                mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
                model = getattr(mod, name)()
                fresh = model.state_dict()
                model.load_state_dict(torch.load(d + "/" + name + ".pt"), strict=True)
                model.eval()
                io = torch.load(d + "/" + name + ".io.pt")
                args = (io["x"], io["t"]) if "t" in io else (io["x"],)
                with torch.no_grad():
                    y = model(*args)
                    model.load_state_dict(fresh, strict=True)
                    back = model(*args)
                torch.save({k: v.contiguous() for k, v in fresh.items()}, d + "/" + name + ".back.pt")
                torch.save({"y": back}, d + "/" + name + ".back.io.pt")
                print(name, tuple(y.shape) == tuple(io["y"].shape), float((y - io["y"]).abs().max()))
            """);
        var stdout = PythonRunner.Run(script);
        var results = new List<ExportComparison>();
        foreach (var network in networks)
        {
            var parts = stdout.Split('\n').Single(l => l.StartsWith(network.Name + " ")).Split(' ');
            // the other way: PyTorch's weights into the TorchSharp module
            using var model = ModelBuilder.Build(network);
            model.load_py(Path.Combine(dir, network.Name + ".back.pt"));
            model.eval();
            var io = PyTorchUnpickler.UnpickleStateDict(Path.Combine(dir, network.Name + ".io.pt"));
            var back = PyTorchUnpickler.UnpickleStateDict(Path.Combine(dir, network.Name + ".back.io.pt"));
            using var y = Predict(model, (Tensor)io["x"]!, io.ContainsKey("t") ? (Tensor)io["t"]! : null);
            var expected = (Tensor)back["y"]!;
            bool same = y.shape.SequenceEqual(expected.shape);
            results.Add(new ExportComparison(network.Name, parts[1] == "True", double.Parse(parts[2], CultureInfo.InvariantCulture),
                same, same ? (y - expected).abs().max().item<float>() : double.NaN));
        }
        return results;
    }

    private static Tensor Predict(AnnNetwork model, Tensor x, Tensor? time)
    {
        using var _ = no_grad();
        if (time is null) return model.Predict(x);
        return model.forward(x, time);
    }
}
