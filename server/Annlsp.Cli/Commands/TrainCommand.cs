using System.CommandLine;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training;
using Annlsp.Progress;
using Annlsp.Training.Training;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp train FILE [--stdin] [--target NAME] [--epochs N] [--limit N] [--device auto|cpu|cuda] [--out DIR]
/// [--progress json] [--resume RUNDIR] [--libtorch DIR]`. Exit 0: finished, stopped, or (a resume) already finished;
/// 1: failed or what the target uses has errors (errors elsewhere in the file are warnings); 2: unreadable file.
/// SIGTERM / Ctrl+C stop after the current step with a checkpoint, and so does the death of the parent process when
/// stdin is a pipe (<see cref="ParentWatch"/>).
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the .ann file (with --stdin: its path, for relative paths and messages)" };
        var stdin = new Option<bool>("--stdin") { Description = "read the source from standard input, up to its end or a NUL character, instead of from FILE (what the language server does, so unsaved edits train)" };
        var target = new Option<string?>("--target") { Description = "which training: \"LeNet5\", \"LeNet5 as quick\" (default: the only one)" };
        var epochs = new Option<int?>("--epochs") { Description = "override the number of epochs" };
        var limit = new Option<int?>("--limit") { Description = "use at most N training examples (and a matching slice of the evaluation set)" };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:N (default: ANNLSP_DEVICE, else the train block's device, else auto)" };
        var output = new Option<string?>("--out") { Description = "folder that receives runs/<target>/<time>/ (default: `out` of the train block, else runs/ next to the file)" };
        var progress = new Option<string>("--progress") { Description = "bar (a terminal progress bar) or json (one JSON event per line on stdout, docs/progress-protocol.md)", DefaultValueFactory = _ => "bar" };
        progress.AcceptOnlyFromAmong("bar", "json");
        var resume = new Option<string?>("--resume") { Description = "continue the run in this run folder from its checkpoint" };
        var libtorch = new Option<string?>("--libtorch") { Description = "LibTorch lib folder to use (e.g. an installed PyTorch's torch/lib), 'python' to ask python3, or 'bundled'; default: ANNLSP_LIBTORCH" };
        var command = new Command("train", "Train a network or GAN declared in a .ann file") { file, stdin, target, epochs, limit, device, output, progress, resume, libtorch };
        command.SetAction(parse => Run(new TrainArgs(parse.GetValue(file)!, parse.GetValue(stdin), parse.GetValue(target), parse.GetValue(epochs), parse.GetValue(limit),
            parse.GetValue(device), parse.GetValue(output), parse.GetValue(progress) ?? "bar", parse.GetValue(resume), parse.GetValue(libtorch))));
        return command;
    }

    private sealed record TrainArgs(string File, bool Stdin, string? Target, int? Epochs, int? Limit, string? Device, string? Out, string Progress, string? Resume, string? LibTorch);

    private static int Run(TrainArgs a)
    {
        bool json = a.Progress == "json";
        var stdout = Console.Out;
        ITrainingObserver observer = json ? new JsonLinesObserver(stdout) : new ProgressBarObserver(stdout, !Console.IsOutputRedirected);
        void FailEarly(string reason, IEnumerable<string>? errors = null)
        {
            if (json) observer.OnEvent(new FailedEvent { Reason = reason, Errors = errors?.ToArray() });
            else Console.Error.WriteLine($"annlsp train: {reason}");
        }

        string text;
        if (a.Stdin) text = TrainingConsole.ReadSource(Console.OpenStandardInput());
        else if (!System.IO.File.Exists(a.File)) { FailEarly($"cannot read '{a.File}': no such file"); return 2; }
        else
        {
            try { text = System.IO.File.ReadAllText(a.File); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                FailEarly($"cannot read '{a.File}': {e.Message}");
                return 2;
            }
        }
        var analysis = DocumentAnalysis.Analyze(text);
        TrainConfig config;
        try { config = TrainingTargets.ResolveTrain(analysis, a.Target); }
        catch (TrainingException e)
        {
            if (!analysis.HasErrors) { FailEarly(e.Message); return 1; }
            // The target may be unresolvable because of the errors (a train of an unknown network has no config): show them all.
            var all = analysis.Diagnostics.Where(d => d.IsError).ToList();
            TrainingConsole.PrintErrors(a.File, analysis, all, Console.Error);
            FailEarly($"{e.Message}; {a.File} has {all.Count} error{(all.Count == 1 ? "" : "s")}", TrainingConsole.ErrorList(a.File, analysis, all));
            return 1;
        }
        // Only what the target uses must be free of errors (docs/training.md); the file's other errors are warnings.
        var closure = analysis.ClosureOf(config.Syntax!);
        if (!closure.CanTrain)
        {
            TrainingConsole.PrintErrors(a.File, analysis, closure.Errors, Console.Error);
            int n = closure.Errors.Count;
            FailEarly($"{config.DisplayName} has {n} error{(n == 1 ? "" : "s")} in what it trains; fix {(n == 1 ? "it" : "them")} before training",
                TrainingConsole.ErrorList(a.File, analysis, closure.Errors));
            return 1;
        }
        var warnings = TrainingConsole.ErrorList(a.File, analysis, closure.OtherErrors).ToList();
        foreach (var w in warnings) Console.Error.WriteLine($"annlsp train: warning: {w} (outside what {config.DisplayName} trains; not fatal)");

        using var stop = new StopSignals(() => { if (!json) Console.Error.WriteLine("\nstopping after the current step (a checkpoint is written) …"); });
        using var parent = ParentWatch.StartIfPiped(() =>
        {
            Console.Error.WriteLine("annlsp train: the process that started this trainer has ended; stopping after the current step (a checkpoint is written)");
            stop.Request();
        });

        var result = Trainer.Run(new TrainOptions
        {
            Config = config, SourceText = text, SourcePath = a.File, Warnings = warnings, Epochs = a.Epochs, Limit = a.Limit,
            Device = a.Device ?? (Environment.GetEnvironmentVariable("ANNLSP_DEVICE") is { Length: > 0 } d ? d : null),
            LibTorch = a.LibTorch, OutDir = a.Out, ResumeDir = a.Resume, Observer = observer, Cancellation = stop.Token,
        });
        return result.Succeeded ? 0 : 1;
    }
}
