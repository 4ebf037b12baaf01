using System.Text;
using Annlsp.Language;
using Annlsp.Language.Diagnostics;
using Annlsp.Progress;
using Annlsp.Training.Training;

namespace Annlsp.Cli.Commands;

/// <summary>Shared by train / sample / export: reading and checking the file, and printing progress.</summary>
internal static class TrainingConsole
{
    /// <summary>Reads and analyses the file; prints its errors (MSBuild style) to stderr and returns null when it has any.</summary>
    public static (DocumentAnalysis Analysis, string Text)? Analyse(string path, TextWriter stderr)
    {
        var text = SourceFile.TryRead(path, stderr);
        if (text is null) return null;
        var analysis = DocumentAnalysis.Analyze(text);
        if (!analysis.HasErrors) return (analysis, text);
        PrintErrors(path, analysis, analysis.Diagnostics.Where(d => d.IsError), stderr);
        return null;
    }

    /// <summary>`--stdin`: the source up to the end of input or the first NUL (the language server sends a NUL and keeps the pipe open).</summary>
    public static string ReadSource(Stream input)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[8192];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int nul = Array.IndexOf(buffer, '\0', 0, n);
            text.Append(buffer, 0, nul >= 0 ? nul : n);
            if (nul >= 0) break;
        }
        return text.ToString();
    }

    /// <summary>Errors in MSBuild format (VS Code's $msCompile matcher) on stderr.</summary>
    public static void PrintErrors(string path, DocumentAnalysis analysis, IEnumerable<Diagnostic> errors, TextWriter stderr)
    {
        foreach (var d in errors)
        {
            var (start, end) = analysis.Text.GetRange(d.Span);
            stderr.WriteLine($"{path}({start.Line + 1},{start.Character + 1},{end.Line + 1},{end.Character + 1}): error {d.Code}: {d.Message}");
        }
    }

    /// <summary>`file(line,col): error CODE: message` for the `failed` event's errors and the `warnings` of a run.</summary>
    public static IEnumerable<string> ErrorList(string path, DocumentAnalysis analysis, IEnumerable<Diagnostic> errors) =>
        errors.Select(d =>
        {
            var (start, _) = analysis.Text.GetRange(d.Span);
            return $"{path}({start.Line + 1},{start.Character + 1}): error {d.Code}: {d.Message}";
        });
}

/// <summary>`--progress json`: each event as one JSON line on stdout, flushed at once.</summary>
internal sealed class JsonLinesObserver(TextWriter stdout) : ITrainingObserver
{
    private readonly object gate = new();

    public void OnEvent(ProgressEvent e)
    {
        lock (gate)
        {
            stdout.WriteLine(ProgressJson.Write(e));
            stdout.Flush();
        }
    }
}

/// <summary>A one-line progress bar on a terminal (plain lines when output is redirected).</summary>
internal sealed class ProgressBarObserver(TextWriter output, bool interactive) : ITrainingObserver
{
    private int epochs = 1;
    private bool barShown;

    public void OnEvent(ProgressEvent e)
    {
        switch (e)
        {
            case StartedEvent s:
                epochs = s.Epochs;
                Line($"training {s.Target} on {s.Device} ({s.LibTorch}) — {s.Train} examples, {s.StepsPerEpoch} steps per epoch" +
                     (s.ResumedFrom is { } from ? $", resumed at step {from}" : ""));
                Line($"run folder: {s.RunDir}");
                break;
            case StepEvent s when interactive:
            {
                const int width = 30;
                int filled = (int)Math.Round(width * s.Step / (double)Math.Max(1, s.Steps));
                var metric = s.Loss is double l ? $"loss {l:0.0000}" : $"loss_d {s.LossD:0.000} loss_g {s.LossG:0.000}";
                output.Write($"\repoch {s.Epoch}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {s.Step}/{s.Steps} {metric} {s.ImagesPerSecond:0} img/s   ");
                output.Flush();
                barShown = true;
                break;
            }
            case EpochEvent s:
                Line(s.Loss is double noiseLoss && s.Accuracy is null && s.TrainAccuracy is null
                    ? $"epoch {s.Epoch}/{epochs}: loss {noiseLoss:0.0000} ({s.Seconds:0.0} s, {s.ImagesPerSecond:0} img/s)" // a diffusion model: the noise MSE
                    : s.Loss is double loss
                    ? $"epoch {s.Epoch}/{epochs}: loss {loss:0.0000}, train accuracy {s.TrainAccuracy:0.0000}, {s.EvaluationSet} loss {s.ValLoss:0.0000}, {s.EvaluationSet} accuracy {s.Accuracy:0.0000} ({s.Seconds:0.0} s, {s.ImagesPerSecond:0} img/s)"
                    : s.L1 is double l1
                    ? $"epoch {s.Epoch}/{epochs}: loss_d {s.LossD:0.0000}, loss_g {s.LossG:0.0000}, {s.EvaluationSet} L1 {l1:0.0000} (the input itself {s.L1Input:0.0000}), PSNR {s.Psnr:0.00} dB (the input itself {s.PsnrInput:0.00} dB) ({s.Seconds:0.0} s, {s.ImagesPerSecond:0} img/s)"
                    : $"epoch {s.Epoch}/{epochs}: loss_d {s.LossD:0.0000}, loss_g {s.LossG:0.0000}, D(x) {s.DX:0.000}, D(G(z)) {s.DGZ:0.000} ({s.Seconds:0.0} s, {s.ImagesPerSecond:0} img/s)");
                if (s.Fd is double fd)
                    Line($"  samples: FD {fd:0.0#} (real vs real {s.FdReal:0.0#}) · {s.Confident * 100:0}% confident · {s.Coverage}/{s.Classes} classes ({s.ScoreSamples} scored in {s.ScoreSeconds:0.0} s)");
                break;
            case ReferenceEvent r:
                Line(r.Status switch
                {
                    "training" => $"  training the reference classifier for {r.Data} (first use; cached afterwards) …",
                    "ready" => $"  reference classifier for {r.Data}: test accuracy {r.Accuracy * 100:0.0}%, real-vs-real FD {r.FdReal:0.0#}" +
                               (r.Trained is true ? $" (trained in {r.Seconds:0} s)" : " (cached)"),
                    _ => $"  no sample scores: {r.Reason}",
                });
                break;
            case SampleEvent s:
                Line($"  sample grid: {s.Path}");
                if (s.Trajectory is not null) Line($"  trajectory: {s.Trajectory}");
                break;
            case CheckpointEvent c: Line($"  checkpoint: epoch {c.Epoch}, step {c.GlobalStep}"); break;
            case FinishedEvent f when f.AlreadyFinished is true: Line(f.Message ?? $"already finished: {f.RunDir}"); break;
            case FinishedEvent f: Line($"{(f.Status == "stopped" ? "stopped" : "finished")}: {f.RunDir}"); break;
            case FailedEvent f: Line($"failed: {f.Reason}"); break;
        }
    }

    private void Line(string text)
    {
        if (barShown) { output.Write("\r" + new string(' ', 110) + "\r"); barShown = false; }
        output.WriteLine(text);
        output.Flush();
    }
}
