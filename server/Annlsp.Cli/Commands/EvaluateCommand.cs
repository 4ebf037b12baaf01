using System.CommandLine;
using System.Globalization;
using Annlsp.Training;
using Annlsp.Training.Scoring;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp evaluate RUN [--samples N] [--format text|json] [--device D] [--libtorch DIR]`: the sample scores
/// (FD, confident, coverage; docs/training.md) of a GAN run folder's latest checkpoint. Exit 0 with the
/// scores; 1 when the run is missing or broken (the reason on stderr).
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "a run folder (runs/<target>/<time>)" };
        var samples = new Option<int?>("--samples") { Description = "how many samples to score (default: the train block's score_samples, else 1000)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda", DefaultValueFactory = _ => "cpu" };
        var libtorch = new Option<string?>("--libtorch") { Description = "LibTorch lib folder (see train)" };
        var command = new Command("evaluate", "Score the samples of a GAN run's latest checkpoint with the data set's reference classifier") { run, samples, format, device, libtorch };
        command.SetAction(parse => Run(parse.GetValue(run)!, parse.GetValue(samples), parse.GetValue(format) ?? "text", parse.GetValue(device)!, parse.GetValue(libtorch), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string runDir, int? samples, string format, string device, string? libTorch, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var result = RunEvaluator.Evaluate(runDir, samples, device, libTorch,
                onTraining: () => stderr.WriteLine("training the reference classifier for this data set (first use; cached afterwards) …"));
            if (format == "json") stdout.WriteLine(result.ToJson().ToJsonString());
            else
            {
                var s = result.Scores;
                stdout.WriteLine($"{result.Target}, epoch {result.Epoch}: {s}");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {s.Samples} samples; real vs real FD {s.RealVsRealFd:0.0#}; reference classifier of {result.DataSet}: test accuracy {result.ReferenceAccuracy * 100:0.0}%; {s.Seconds:0.0} s"));
                stdout.WriteLine($"  run folder: {result.RunDir}");
            }
            if (result.SourceChanged) stderr.WriteLine("annlsp evaluate: note: the .ann file changed since the run; the generator was rebuilt from its current text");
            return 0;
        }
        catch (TrainingException e)
        {
            stderr.WriteLine($"annlsp evaluate: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not StackOverflowException)
        {
            // LibTorch refusing the checkpoint's tensors, an unreadable cache folder …: a reason, not a stack trace
            stderr.WriteLine($"annlsp evaluate: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return 1;
        }
    }
}
