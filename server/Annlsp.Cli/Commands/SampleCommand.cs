using System.CommandLine;
using Annlsp.Language.Semantics;
using Annlsp.Training;
using Annlsp.Training.Training;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp sample FILE --target T [--run RUNDIR] [--out PNG] [--grid RxC] [--seed N]`: a grid from a trained GAN
/// generator, or from a diffusion model's denoiser (`[--sampler ddpm|ddim(N)] [--trajectory PNG]`).
/// For a pix2pix run, `--input IMAGE` translates that image; without it, the held-out triplets input | generated | target.
/// </summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the .ann file" };
        var target = new Option<string?>("--target") { Description = "the GAN or diffusion training (default: the only one)" };
        var sampler = new Option<string?>("--sampler") { Description = "diffusion models: ddpm or ddim(N) (default: the diffusion's sampler)" };
        var trajectory = new Option<string?>("--trajectory") { Description = "diffusion models: also write the denoising trajectory of the first samples to this PNG" };
        var run = new Option<string?>("--run") { Description = "run folder (default: the newest run of the target)" };
        var output = new Option<string?>("--out") { Description = "PNG file to write (default: <run>/samples/sample-<seed>.png)" };
        var grid = new Option<string>("--grid") { Description = "rows x columns", DefaultValueFactory = _ => "8x8" };
        var seed = new Option<int>("--seed") { Description = "noise seed", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda", DefaultValueFactory = _ => "cpu" };
        var libtorch = new Option<string?>("--libtorch") { Description = "LibTorch lib folder (see train)" };
        var input = new Option<string?>("--input") { Description = "pix2pix: the image to translate (resized to the generator's input); without it, rows of held-out input | generated | target" };
        var command = new Command("sample", "Draw a grid of images from a trained GAN generator or diffusion model, or translate an image with a pix2pix generator") { file, target, run, output, grid, seed, sampler, trajectory, device, libtorch, input };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(file)!;
                var analysed = TrainingConsole.Analyse(path, Console.Error);
                if (analysed is null) return 1;
                var config = TrainingTargets.ResolveTrain(analysed.Value.Analysis, parse.GetValue(target));
                if (config.Diffusion is { } diffusion) return SampleDiffusion(parse, path, config, diffusion, run, output, grid, seed, sampler, trajectory, device, libtorch);
                var generator = config.Gan?.Generator ?? throw new TrainingException($"'{config.DisplayName}' is not a GAN or diffusion training; sample draws from a GAN's generator or a diffusion model");
                var runDir = parse.GetValue(run) ?? TrainingTargets.LatestRun(path, config.DisplayName)
                    ?? throw new TrainingException($"no finished run of '{config.DisplayName}' found; train it first or name one with --run");
                if (config.Kind == TrainKind.Pix2Pix) return Translate(config, runDir, parse.GetValue(input), parse.GetValue(output), parse.GetValue(grid)!, parse.GetValue(device)!, parse.GetValue(libtorch));
                if (parse.GetValue(input) is not null) throw new TrainingException($"--input is for gans whose generator takes an image; '{config.DisplayName}' draws from noise");
                var (rows, cols) = Grid(parse.GetValue(grid)!);
                int s = parse.GetValue(seed);
                var png = parse.GetValue(output) ?? Path.Combine(runDir, "samples", $"sample-{s}.png");
                var (w, h) = Sampler.Sample(generator, Path.Combine(runDir, "model.pt"), png, new Pair(rows, cols), s, parse.GetValue(device)!, parse.GetValue(libtorch));
                Console.WriteLine(Path.GetFullPath(png));
                Console.Error.WriteLine($"{rows}x{cols} samples from {runDir} ({w}×{h} px)");
                return 0;
            }
            catch (TrainingException e) { Console.Error.WriteLine($"annlsp sample: {e.Message}"); return 1; }
        });
        return command;
    }

    /// <summary>pix2pix: the image given, translated; or the first R held-out pairs of `--grid RxC` as rows of input | generated | target.</summary>
    private static int Translate(TrainConfig config, string runDir, string? input, string? output, string grid, string device, string? libtorch)
    {
        var modelPt = Path.Combine(runDir, "model.pt");
        if (input is not null)
        {
            var png = output ?? Path.Combine(runDir, "samples", Path.GetFileNameWithoutExtension(input) + "-translated.png");
            var (w, h) = Translator.Translate(config.Gan!.Generator!, modelPt, input, png, device, libtorch);
            Console.WriteLine(Path.GetFullPath(png));
            Console.Error.WriteLine($"{input} translated by {runDir} ({w}×{h} px)");
            return 0;
        }
        if (!int.TryParse(grid.Split('x')[0], out var rows) || rows < 1) throw new TrainingException("--grid must be RxC, e.g. 8x8 (R held-out rows)");
        var triplets = output ?? Path.Combine(runDir, "samples", "held-out.png");
        var (tw, th) = Translator.HeldOut(config, modelPt, triplets, rows, device, libtorch);
        Console.WriteLine(Path.GetFullPath(triplets));
        Console.Error.WriteLine($"{rows} held-out rows of input | generated | target from {runDir} ({tw}×{th} px)");
        return 0;
    }

    private static (int Rows, int Cols) Grid(string text)
    {
        var g = text.Split('x');
        if (g.Length != 2 || !int.TryParse(g[0], out var rows) || !int.TryParse(g[1], out var cols) || rows < 1 || cols < 1)
            throw new TrainingException("--grid must be RxC, e.g. 8x8");
        return (rows, cols);
    }

    /// <summary>A diffusion run: its EMA denoiser (model.pt) draws from seeded noise with the diffusion's sampler or --sampler.</summary>
    private static int SampleDiffusion(ParseResult parse, string path, TrainConfig config, DiffusionModel diffusion, Option<string?> run, Option<string?> output,
        Option<string> grid, Option<int> seed, Option<string?> sampler, Option<string?> trajectory, Option<string> device, Option<string?> libtorch)
    {
        var runDir = parse.GetValue(run) ?? TrainingTargets.LatestRun(path, config.DisplayName)
            ?? throw new TrainingException($"no finished run of '{config.DisplayName}' found; train it first or name one with --run");
        var (rows, cols) = Grid(parse.GetValue(grid)!);
        DiffusionSampler? chosen = null;
        if (parse.GetValue(sampler) is { } text)
            chosen = DiffusionSampler.Parse(text) ?? throw new TrainingException($"--sampler must be ddpm or ddim(N) with N ≥ 1, not '{text}'");
        int s = parse.GetValue(seed);
        var png = parse.GetValue(output) ?? Path.Combine(runDir, "samples", $"sample-{s}.png");
        var (w, h) = DiffusionSampling.Sample(diffusion, Path.Combine(runDir, "model.pt"), png, new Pair(rows, cols), s, chosen,
            parse.GetValue(device)!, parse.GetValue(libtorch), parse.GetValue(trajectory));
        Console.WriteLine(Path.GetFullPath(png));
        Console.Error.WriteLine($"{rows}x{cols} samples from {runDir} with {chosen ?? diffusion.Sampler} ({w}×{h} px)");
        return 0;
    }
}
