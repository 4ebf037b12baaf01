using System.CommandLine;
using System.Globalization;
using Annlsp.Language.Semantics;
using Annlsp.Training;
using Annlsp.Training.Scoring;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp evaluate RUN [--samples N] [--sampler ddpm|ddim(N)] [--format text|json] [--device D] [--libtorch DIR]`:
/// the sample scores (FD, confident, coverage; docs/training.md) of a gan or diffusion run folder's latest checkpoint,
/// and a conditional gan's held-out L1/PSNR. Exit 0 with the figures; 1 when the run is missing or broken (the reason
/// on stderr).
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
        var sampler = new Option<string?>("--sampler") { Description = "diffusion runs: ddpm or ddim(N) (default: the diffusion's sampler)" };
        var command = new Command("evaluate", "Measure a gan, pix2pix or diffusion run's latest checkpoint: sample scores from the data set's reference classifier, a conditional gan's held-out L1/PSNR") { run, samples, sampler, format, device, libtorch };
        command.SetAction(parse => Run(parse.GetValue(run)!, parse.GetValue(samples), parse.GetValue(format) ?? "text", parse.GetValue(device)!, parse.GetValue(libtorch), Console.Out, Console.Error, parse.GetValue(sampler)));
        return command;
    }

    public static int Run(string runDir, int? samples, string format, string device, string? libTorch, TextWriter stdout, TextWriter stderr, string? sampler = null)
    {
        try
        {
            DiffusionSampler? chosen = null;
            if (sampler is not null)
                chosen = DiffusionSampler.Parse(sampler) ?? throw new TrainingException($"--sampler must be ddpm or ddim(N) with N ≥ 1, not '{sampler}'");
            var result = RunEvaluator.Evaluate(runDir, samples, device, libTorch,
                onTraining: () => stderr.WriteLine("training the reference classifier for this data set (first use; cached afterwards) …"), sampler: chosen);
            if (format == "json") stdout.WriteLine(result.ToJson().ToJsonString());
            else
            {
                if (result.Translation is { } t)
                {
                    stdout.WriteLine($"{result.Target}, epoch {result.Epoch}: {t}");
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.Pairs} held-out pairs of {result.DataSet}; {t.Seconds:0.0} s"));
                }
                if (result.Scores is { } s)
                {
                    stdout.WriteLine(result.Translation is null ? $"{result.Target}, epoch {result.Epoch}: {s}" : $"  translations: {s}");
                    string drawn = result.Sampler is null ? "" : $" drawn with {result.Sampler}";
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {s.Samples} samples{drawn}; real vs real FD {s.RealVsRealFd:0.0#}; reference classifier of {result.DataSet}: test accuracy {result.ReferenceAccuracy * 100:0.0}%; {s.Seconds:0.0} s"));
                    if (s.PerClass.Count > 0) stdout.WriteLine($"  per class, confident / drawn: {s.PerClassText}");
                }
                stdout.WriteLine($"  run folder: {result.RunDir}");
            }
            if (result.SourceChanged) stderr.WriteLine("annlsp evaluate: note: the .ann file changed since the run; evaluate used the text the run trained (source.ann in the run folder)");
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
