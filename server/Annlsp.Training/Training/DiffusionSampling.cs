using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>`annlsp sample` of a diffusion run: a grid drawn by its EMA denoiser (model.pt) from seeded noise.</summary>
public static class DiffusionSampling
{
    /// <summary>
    /// The start noise x_T is standard normal from a CPU generator seeded with <paramref name="seed"/> (so a seed gives
    /// the same images on every device; DDIM is deterministic from there); DDPM's step noise from <paramref name="seed"/> + 23.
    /// With <paramref name="trajectoryPng"/>, the first few samples' denoising trajectory is written there too.
    /// </summary>
    public static (int Width, int Height) Sample(DiffusionModel diffusion, string modelPt, string outPng, Pair grid, int seed,
        DiffusionSampler? sampler = null, string device = "cpu", string? libTorch = null, string? trajectoryPng = null)
    {
        var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = device, LibTorch = libTorch, Workspace = RealPaths.Workspace(null) });
        var denoiser = diffusion.Denoiser ?? throw new TrainingException($"diffusion {diffusion.Name} has no valid denoiser");
        if (!File.Exists(modelPt)) throw new TrainingException($"no trained denoiser at {modelPt}");
        var chosen = sampler ?? diffusion.Sampler;
        if (chosen.IsDdim && chosen.Steps > diffusion.Schedule.Steps)
            throw new TrainingException($"{chosen} takes more steps than the diffusion's {diffusion.Schedule.Steps}");
        using var model = ModelBuilder.Build(denoiser, runtime.Device);
        model.load_py(modelPt);
        model.eval();
        using var process = new DiffusionProcess(diffusion, runtime.Device);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var start = randn([grid.H * grid.W, .. denoiser.Input.Dims], generator: new Generator((ulong)seed)).to(runtime.Device);
        using var stepNoise = new Generator((ulong)seed + DiffusionProcess.StepNoiseSeedOffset);
        var frames = trajectoryPng is null ? null : new List<Tensor>();
        var images = process.Sample((x, t) => DiffusionProcess.Denoise(model, x, t), start, chosen, stepNoise,
            frames, DiffusionProcess.TrajectorySamples, DiffusionProcess.TrajectoryFrames);
        if (frames is not null) DiffusionProcess.WriteTrajectory(trajectoryPng!, frames);
        return ImageGrid.WritePng(outPng, images, grid.H, grid.W, -1, 1);
    }
}
