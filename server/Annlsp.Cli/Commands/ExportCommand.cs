using System.CommandLine;
using Annlsp.Training;
using Annlsp.Training.Data;
using Annlsp.Training.Export;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Output;
using TorchSharp.PyBridge;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp export FILE --target NAME [--run RUNDIR] --out DIR`: DIR/&lt;Name&gt;.py (a PyTorch nn.Module) and
/// DIR/&lt;Name&gt;.pt (its state dict: from the run's model.pt, or freshly initialised without --run).
/// A GAN exports its generator and discriminator. With `--torchrun` (a training as the target): DIR is a
/// training package that PyTorch's torchrun runs with DistributedDataParallel (Export/TorchrunPackage.cs, docs/torchrun.md).
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the .ann file" };
        var target = new Option<string>("--target") { Description = "network, gan, diffusion or training to export", Required = true };
        var run = new Option<string?>("--run") { Description = "run folder whose trained weights to export (default: fresh initialisation)" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var seed = new Option<int>("--seed") { Description = "initialisation seed without --run", DefaultValueFactory = _ => 0 };
        var torchrun = new Option<bool>("--torchrun") { Description = "write a training package for PyTorch's torchrun (DDP) instead: model modules, train.py, data readers, README, PyTorchJob and Slurm files" };
        var stdin = new Option<bool>("--stdin") { Description = "with --torchrun: read the source from standard input, up to its end or a NUL (what the language server does, so unsaved edits are exported)" };
        var command = new Command("export", "Write a network as a PyTorch module (.py) and state dict (.pt), or a training as a torchrun package") { file, target, run, output, seed, torchrun, stdin };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(file)!;
                if (parse.GetValue(torchrun))
                {
                    if (parse.GetValue(run) is not null) throw new TrainingException("--torchrun packages a training to run elsewhere; it takes no --run (train.py --resume continues a run)");
                    return ExportTorchrun(path, parse.GetValue(stdin), parse.GetValue(target)!, parse.GetValue(output)!);
                }
                var analysed = TrainingConsole.Analyse(path, Console.Error);
                if (analysed is null) return 1;
                var analysis = analysed.Value.Analysis;
                var name = parse.GetValue(target)!;
                var networks = TrainingTargets.ResolveNetworks(analysis, name);
                var runDir = parse.GetValue(run);
                TorchRuntime.Initialize(new TorchRuntimeOptions { Device = "cpu" });
                TorchSharp.torch.manual_seed(parse.GetValue(seed));
                var outDir = parse.GetValue(output)!;
                bool gan = analysis.Gans.ContainsKey(name) || analysis.Trains.Any(t => t.DisplayName == name && t.Gan is not null);
                bool generative = gan || TrainingTargets.ResolveDiffusion(analysis, name) is not null; // images in [−1, 1], no standardisation
                // a classifier's run records the input standardisation it was trained with; the module carries it
                var input = runDir is null || generative ? null : InputStandardisation.Read(RunFolder.Open(runDir).ReadRunJson()?["data"]?["normalisation"]);
                foreach (var network in networks)
                {
                    using var model = ModelBuilder.Build(network);
                    if (runDir is not null)
                    {
                        var weights = Path.Combine(runDir, gan && network != networks[0] ? "discriminator.pt" : "model.pt");
                        if (!File.Exists(weights)) throw new TrainingException($"no trained weights at {weights}");
                        model.load_py(weights);
                    }
                    var (py, pt) = PyTorchExporter.Export(network, model, outDir, Path.GetFileName(path), input);
                    Console.WriteLine(Path.GetFullPath(py));
                    Console.WriteLine(Path.GetFullPath(pt));
                }
                // a diffusion model also gets its schedule and samplers beside the denoiser's module
                if (TrainingTargets.ResolveDiffusion(analysis, name) is { } diffusion)
                    Console.WriteLine(Path.GetFullPath(DiffusionExport.Write(diffusion, outDir, Path.GetFileName(path))));
                return 0;
            }
            catch (TrainingException e) { Console.Error.WriteLine($"annlsp export: {e.Message}"); return 1; }
        });
        return command;
    }

    /// <summary>
    /// `--torchrun`: as `annlsp train`, only what the training uses must be free of errors (the file's other
    /// errors are printed as warnings). Prints the files written, README.md first.
    /// </summary>
    private static int ExportTorchrun(string path, bool fromStdin, string name, string outDir)
    {
        string text;
        if (fromStdin) text = TrainingConsole.ReadSource(Console.OpenStandardInput());
        else
        {
            try { text = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"annlsp export: cannot read '{path}': {e.Message}");
                return 1;
            }
        }
        var analysis = Annlsp.Language.DocumentAnalysis.Analyze(text);
        Annlsp.Language.Semantics.TrainConfig config;
        try { config = TrainingTargets.ResolveTrain(analysis, name); }
        catch (TrainingException) when (analysis.HasErrors)
        {
            TrainingConsole.PrintErrors(path, analysis, analysis.Diagnostics.Where(d => d.IsError), Console.Error);
            throw;
        }
        var closure = analysis.ClosureOf(config.Syntax!);
        if (!closure.CanTrain)
        {
            TrainingConsole.PrintErrors(path, analysis, closure.Errors, Console.Error);
            throw new TrainingException($"{config.DisplayName} has {closure.Errors.Count} error{(closure.Errors.Count == 1 ? "" : "s")} in what it trains; fix them before exporting");
        }
        foreach (var w in TrainingConsole.ErrorList(path, analysis, closure.OtherErrors))
            Console.Error.WriteLine($"annlsp export: warning: {w} (outside what {config.DisplayName} trains; not fatal)");
        foreach (var written in TorchrunPackage.Write(config, text, path, outDir))
            Console.WriteLine(written);
        return 0;
    }
}
