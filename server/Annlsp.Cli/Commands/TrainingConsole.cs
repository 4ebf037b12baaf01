using System.Text;
using Annlsp.Language;
using Annlsp.Language.Diagnostics;
using Annlsp.Training.Training;

namespace Annlsp.Cli.Commands;

/// <summary>Shared by train / sample / export: reading and checking the file, and printing progress.</summary>
internal static class TrainingConsole
{
    /// <summary>Reads and analyses the file; prints its errors (MSBuild style) to stderr and returns null when it has any.</summary>
    public static (DocumentAnalysis Analysis, string Text)? Analyse(string path, TextWriter stderr)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"annlsp: cannot read '{path}': {e.Message}");
            return null;
        }
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

    public void OnEvent(TrainingEvent e)
    {
        lock (gate)
        {
            stdout.WriteLine(e.ToJson());
            stdout.Flush();
        }
    }
}

/// <summary>A one-line progress bar on a terminal (plain lines when output is redirected).</summary>
internal sealed class ProgressBarObserver(TextWriter output, bool interactive) : ITrainingObserver
{
    private int epochs = 1;
    private bool barShown;

    public void OnEvent(TrainingEvent e)
    {
        switch (e.Kind)
        {
            case "started":
                epochs = Convert.ToInt32(e["epochs"] ?? 1);
                Line($"training {e["target"]} on {e["device"]} ({e["libtorch"]}) — {e["train"]} examples, {e["stepsPerEpoch"]} steps per epoch" +
                     (e["resumedFrom"] is not null ? $", resumed at step {e["resumedFrom"]}" : ""));
                Line($"run folder: {e["runDir"]}");
                break;
            case "step" when interactive:
            {
                int step = Convert.ToInt32(e["step"]), steps = Convert.ToInt32(e["steps"]);
                const int width = 30;
                int filled = (int)Math.Round(width * step / (double)Math.Max(1, steps));
                var metric = e["loss"] is double l ? $"loss {l:0.0000}" : $"loss_d {e["loss_d"]:0.000} loss_g {e["loss_g"]:0.000}";
                output.Write($"\repoch {e["epoch"]}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {step}/{steps} {metric} {Convert.ToDouble(e["imagesPerSecond"]):0} img/s   ");
                output.Flush();
                barShown = true;
                break;
            }
            case "epoch":
                Line(e["loss"] is double loss
                    ? $"epoch {e["epoch"]}/{epochs}: loss {loss:0.0000}, train accuracy {e["train_accuracy"]:0.0000}, {e["evaluationSet"]} loss {e["val_loss"]:0.0000}, {e["evaluationSet"]} accuracy {e["accuracy"]:0.0000} ({e["seconds"]:0.0} s, {e["imagesPerSecond"]:0} img/s)"
                    : $"epoch {e["epoch"]}/{epochs}: loss_d {e["loss_d"]:0.0000}, loss_g {e["loss_g"]:0.0000}, D(x) {e["d_x"]:0.000}, D(G(z)) {e["d_g_z"]:0.000} ({e["seconds"]:0.0} s, {e["imagesPerSecond"]:0} img/s)");
                if (e["fd"] is double fd)
                    Line($"  samples: FD {fd:0.0#} (real vs real {e["fd_real"]:0.0#}) · {Convert.ToDouble(e["confident"]) * 100:0}% confident · {e["coverage"]}/{e["classes"]} classes ({e["scoreSamples"]} scored in {e["scoreSeconds"]:0.0} s)");
                break;
            case "reference":
                Line(e["status"] switch
                {
                    "training" => $"  training the reference classifier for {e["data"]} (first use; cached afterwards) …",
                    "ready" => $"  reference classifier for {e["data"]}: test accuracy {Convert.ToDouble(e["accuracy"]) * 100:0.0}%, real-vs-real FD {e["fd_real"]:0.0#}" +
                               (e["trained"] is true ? $" (trained in {e["seconds"]:0} s)" : " (cached)"),
                    _ => $"  no sample scores: {e["reason"]}",
                });
                break;
            case "sample": Line($"  sample grid: {e["path"]}"); break;
            case "checkpoint": Line($"  checkpoint: epoch {e["epoch"]}, step {e["globalStep"]}"); break;
            case "finished" when e["alreadyFinished"] is true: Line((string?)e["message"] ?? $"already finished: {e["runDir"]}"); break;
            case "finished": Line($"{(e["status"] as string == "stopped" ? "stopped" : "finished")}: {e["runDir"]}"); break;
            case "failed": Line($"failed: {e["reason"]}"); break;
        }
    }

    private void Line(string text)
    {
        if (barShown) { output.Write("\r" + new string(' ', 110) + "\r"); barShown = false; }
        output.WriteLine(text);
        output.Flush();
    }
}
