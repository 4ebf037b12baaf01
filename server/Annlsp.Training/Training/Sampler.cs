using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>`annlsp sample`: a grid from a trained generator (model.pt of a GAN run).</summary>
public static class Sampler
{
    public static (int Width, int Height) Sample(NetworkModel generator, string modelPt, string outPng, Pair grid, int seed, string device = "cpu", string? libTorch = null)
    {
        var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = device, LibTorch = libTorch, Workspace = RealPaths.Workspace(null) });
        if (!generator.Input.IsVector) throw new TrainingException($"{generator.Name} is not a generator (its input is {generator.Input}, not a latent vector)");
        if (!File.Exists(modelPt)) throw new TrainingException($"no trained generator at {modelPt}");
        using var model = ModelBuilder.Build(generator, runtime.Device);
        model.load_py(modelPt);
        model.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var z = randn([grid.H * grid.W, generator.Input[0]], generator: new Generator((ulong)seed)).to(runtime.Device);
        var images = model.Predict(z);
        bool tanh = generator.Layers.Count > 0 && generator.Layers[^1].Kind == "tanh";
        return ImageGrid.WritePng(outPng, images, grid.H, grid.W, tanh ? -1 : 0, 1);
    }
}
