using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using StbImageSharp;
using StbImageWriteSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>`annlsp sample` for a pix2pix run: translate one image, or draw the held-out triplets input | generated | target.</summary>
public static class Translator
{
    /// <summary>
    /// Reads <paramref name="inputImage"/> (any size: resized to the generator's input H×W, bilinear, as the data
    /// sets resize; grey or colour as its channels say), translates it and writes the generated image as a PNG.
    /// </summary>
    public static (int Width, int Height) Translate(NetworkModel generator, string modelPt, string inputImage, string outPng, string device = "cpu", string? libTorch = null)
    {
        var shape = generator.Input;
        if (!shape.IsImage || shape[0] is not (1 or 3)) throw new TrainingException($"{generator.Name} does not translate images (its input is {shape})");
        int c = (int)shape[0], h = (int)shape[1], w = (int)shape[2];
        ImageResult img;
        try
        {
            var bytes = File.ReadAllBytes(inputImage);
            if (bytes.Length == 0) throw new TrainingException($"{inputImage} is empty (0 bytes)");
            img = ImageResult.FromMemory(bytes, c == 1 ? StbImageSharp.ColorComponents.Grey : StbImageSharp.ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new TrainingException($"cannot read {inputImage}: {e.Message}"); }
        catch (Exception e) when (e is not (TrainingException or OutOfMemoryException)) { throw new TrainingException($"cannot read {inputImage} as an image ({e.Message.TrimEnd('.')})"); }
        var planar = new byte[c * h * w];
        DataSets.ResizeToPlanar(img.Data, img.Width, img.Height, c, w, h, planar);
        using var model = Load(generator, modelPt, device, libTorch, out var dev);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = TensorDataSet.Normalise(tensor(planar, [1, c, h, w]).to(dev), symmetric: true);
        var y = model.Predict(x).clamp(-1, 1).add(1).mul(127.5).round().to_type(ScalarType.Byte).cpu();
        long outC = y.shape[1];
        var pixels = y[0].permute(1, 2, 0).contiguous().bytes.ToArray(); // H×W×C, as PNG rows are
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPng));
        if (dir is not null) Directory.CreateDirectory(dir);
        using (var stream = File.Create(outPng))
            new ImageWriter().WritePng(pixels, (int)y.shape[3], (int)y.shape[2], outC == 1 ? StbImageWriteSharp.ColorComponents.Grey : StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return ((int)y.shape[3], (int)y.shape[2]);
    }

    /// <summary>The first <paramref name="rows"/> held-out pairs of the run's data set, as the preview shows them: input | generated | target.</summary>
    public static (int Width, int Height) HeldOut(TrainConfig config, string modelPt, string outPng, int rows, string device = "cpu", string? libTorch = null)
    {
        var generator = config.Gan?.Generator ?? throw new TrainingException($"'{config.DisplayName}' has no valid generator");
        using var model = Load(generator, modelPt, device, libTorch, out var dev);
        using var data = DataSets.Load(new DataRequest { Data = config.Data, Limit = rows, Seed = config.Seed ?? 0, ValidateFraction = config.ValidateFraction });
        var held = data.Evaluation ?? throw new TrainingException($"{config.Data.Display} has no held-out pairs");
        if (held.Inputs is null) throw new TrainingException($"{config.Data.Display} is not a paired data set");
        int n = Math.Min(rows, held.Count);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = TensorDataSet.Normalise(held.Inputs.narrow(0, 0, n).to(dev), symmetric: true);
        var y = TensorDataSet.Normalise(held.Images.narrow(0, 0, n).to(dev), symmetric: true);
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPng));
        if (dir is not null) Directory.CreateDirectory(dir);
        Pix2PixTarget.WriteTriplets(outPng, x, model.Predict(x), y);
        var written = ImageResult.FromMemory(File.ReadAllBytes(outPng), StbImageSharp.ColorComponents.RedGreenBlue);
        return (written.Width, written.Height);
    }

    private static AnnNetwork Load(NetworkModel generator, string modelPt, string device, string? libTorch, out Device dev)
    {
        var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = device, LibTorch = libTorch, Workspace = RealPaths.Workspace(null) });
        if (!File.Exists(modelPt)) throw new TrainingException($"no trained generator at {modelPt}");
        dev = runtime.Device;
        var model = ModelBuilder.Build(generator, dev);
        model.load_py(modelPt);
        model.eval();
        return model;
    }
}
