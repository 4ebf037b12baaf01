using System.CommandLine;
using Annlsp.Language.Semantics;
using Annlsp.Training;
using Annlsp.Training.Training;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp sample FILE --target GAN [--run RUNDIR] [--out PNG] [--grid RxC] [--seed N]`: a grid from a trained generator.
/// For a pix2pix run, `--input IMAGE` translates that image; without it, the held-out triplets input | generated | target.
/// </summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the .ann file" };
        var target = new Option<string?>("--target") { Description = "the GAN training (default: the only one)" };
        var run = new Option<string?>("--run") { Description = "run folder (default: the newest run of the target)" };
        var output = new Option<string?>("--out") { Description = "PNG file to write (default: <run>/samples/sample-<seed>.png)" };
        var grid = new Option<string>("--grid") { Description = "rows x columns", DefaultValueFactory = _ => "8x8" };
        var seed = new Option<int>("--seed") { Description = "noise seed", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda", DefaultValueFactory = _ => "cpu" };
        var libtorch = new Option<string?>("--libtorch") { Description = "LibTorch lib folder (see train)" };
        var input = new Option<string?>("--input") { Description = "pix2pix: the image to translate (resized to the generator's input); without it, rows of held-out input | generated | target" };
        var command = new Command("sample", "Draw a grid of images from a trained GAN generator, or translate an image with a pix2pix one") { file, target, run, output, grid, seed, device, libtorch, input };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(file)!;
                var analysed = TrainingConsole.Analyse(path, Console.Error);
                if (analysed is null) return 1;
                var config = TrainingTargets.ResolveTrain(analysed.Value.Analysis, parse.GetValue(target));
                var generator = config.Gan?.Generator ?? throw new TrainingException($"'{config.DisplayName}' is not a GAN training; sample draws from a GAN's generator");
                var runDir = parse.GetValue(run) ?? TrainingTargets.LatestRun(path, config.DisplayName)
                    ?? throw new TrainingException($"no finished run of '{config.DisplayName}' found; train it first or name one with --run");
                if (config.Kind == TrainKind.Pix2Pix) return Translate(config, runDir, parse.GetValue(input), parse.GetValue(output), parse.GetValue(grid)!, parse.GetValue(device)!, parse.GetValue(libtorch));
                if (parse.GetValue(input) is not null) throw new TrainingException($"--input is for gans whose generator takes an image; '{config.DisplayName}' draws from noise");
                var g = parse.GetValue(grid)!.Split('x');
                if (g.Length != 2 || !int.TryParse(g[0], out var rows) || !int.TryParse(g[1], out var cols) || rows < 1 || cols < 1)
                    throw new TrainingException("--grid must be RxC, e.g. 8x8");
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
}
