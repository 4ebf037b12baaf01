using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Annlsp.Progress;
using Annlsp.Server.Documents;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Training;

/// <summary>
/// Training runs started from the editor. Each run is `annlsp train FILE --target NAME --progress json --stdin` in a
/// child process (a crash or out-of-memory there never takes the server down), one per (document, target), that trains
/// the open document's text as the editor has it, saved or not (written to its stdin, then a NUL). Its JSON-line
/// events are relayed as LSP work-done progress (cancellable: cancelling stops the run) and as the
/// `annlsp/trainingEvent` notification {uri, target, runDir, event}. Stop = SIGTERM (the trainer finishes the step
/// and writes a checkpoint), then a kill after <see cref="ServerOptions.StopGracePeriod"/>. Shutdown stops all runs.
/// </summary>
public sealed class TrainingManager
{
    public const string EventNotification = "annlsp/trainingEvent";

    private readonly ServerSession _session;
    private readonly ConcurrentDictionary<string, TrainingRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastResults = new(StringComparer.Ordinal);

    public TrainingManager(ServerSession session)
    {
        _session = session;
        session.ShuttingDown += StopAllAsync;
    }

    // Normalised, so `…/./a.ann`, `…//a.ann` and `…/%61.ann` are one document: one run per target.
    private static string Key(string uri, string target) => DocumentUri.Normalize(uri) + "\n" + target;

    public bool IsRunning(string uri, string target) => _runs.ContainsKey(Key(uri, target));

    public string? LastResult(string uri, string target) => _lastResults.TryGetValue(Key(uri, target), out var r) ? r : null;

    public IReadOnlyCollection<TrainingRun> Runs => _runs.Values.ToList();

    public async Task<JObject> StartAsync(string uri, string target)
    {
        if (!_session.Options.TrainingEnabled)
            throw LspException.RequestFailed("training is disabled: the workspace is not trusted");
        var file = DocumentUri.LocalPath(uri) ?? throw LspException.InvalidParams($"only file: documents can be trained, not {uri}");
        // The open document's text is trained, saved or not; a document that is not open is read from disk by the trainer.
        string? text = _session.Documents.TryGet(uri, out var snapshot) ? snapshot.Text.Text : null;
        if (text is null && !File.Exists(file)) throw LspException.RequestFailed($"{file} is neither open nor on disk");
        if (!Directory.Exists(Path.GetDirectoryName(file))) throw LspException.RequestFailed($"the folder of {file} does not exist");
        int nul = text?.IndexOf('\0') ?? -1;
        if (nul >= 0) throw LspException.RequestFailed($"the document has a NUL character (U+0000) on line {snapshot!.Text.GetPosition(nul).Line + 1}; remove it to train");
        var workspace = WorkspaceFor(file);
        var command = TrainerLocator.Find(_session.Options)
            ?? throw LspException.RequestFailed("the trainer (`annlsp`) was not found: set initializationOptions.trainerCommand or ANNLSP_TRAINER");

        var run = new TrainingRun(uri, target, workspace);
        if (!_runs.TryAdd(Key(uri, target), run))
            throw LspException.RequestFailed($"{target} is already training; stop it first");

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
            UseShellExecute = false,
            WorkingDirectory = workspace,
        };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var (key, value) in _session.Options.TrainerEnvironment) start.Environment[key] = value;
        foreach (var arg in new[] { "train", file, "--target", target, "--progress", "json" }) start.ArgumentList.Add(arg);
        if (text is not null) start.ArgumentList.Add("--stdin");

        try
        {
            run.Process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e)
        {
            _runs.TryRemove(Key(uri, target), out _);
            throw LspException.RequestFailed($"could not start the trainer ({string.Join(' ', command)}): {e.Message}");
        }
        _session.Log(MessageType.Info, $"training {target}: pid {run.Process.Id}: {string.Join(' ', start.ArgumentList.Prepend(start.FileName))}");
        if (text is not null) _ = Task.Run(() => SendSourceAsync(run, text));
        await BeginProgressAsync(run);
        run.Completion = Task.Run(() => PumpAsync(run));
        _ = Task.Run(() => PumpStderrAsync(run));
        await RefreshCodeLensAsync();
        return new JObject { ["target"] = target, ["pid"] = run.Process.Id, ["workspace"] = workspace };
    }

    public async Task<bool> StopAsync(string uri, string target)
    {
        if (!_runs.TryGetValue(Key(uri, target), out var run)) return false;
        await StopRunAsync(run);
        return true;
    }

    public Task StopByProgressTokenAsync(string token)
    {
        var run = _runs.Values.FirstOrDefault(r => r.ProgressToken == token);
        return run is null ? Task.CompletedTask : StopRunAsync(run);
    }

    private async Task StopAllAsync()
    {
        await Task.WhenAll(_runs.Values.Select(StopRunAsync));
    }

    private async Task StopRunAsync(TrainingRun run)
    {
        var process = run.Process;
        if (process is null) return;
        run.StopRequested = true;
        try
        {
            if (process.HasExited) return;
            // Ask politely: SIGTERM on Unix (the trainer checkpoints and exits), then kill.
            if (!OperatingSystem.IsWindows()) _ = Kill(process.Id, SigTerm);
            try { process.StandardInput.Close(); } catch (Exception) { }
            using var grace = new CancellationTokenSource(_session.Options.StopGracePeriod);
            try { await process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException)
            {
                _session.Log(MessageType.Warning, $"training {run.Target} did not stop within {_session.Options.StopGracePeriod.TotalSeconds:0} s; killing it");
                try { process.Kill(entireProcessTree: true); } catch (Exception) { }
            }
            if (run.Completion is not null) await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
    }

    /// <summary>The document's text, then a NUL: the trainer reads up to it, and stdin stays open (closing it is a stop).</summary>
    private async Task SendSourceAsync(TrainingRun run, string text)
    {
        try
        {
            var stdin = run.Process!.StandardInput;
            await stdin.WriteAsync(text);
            await stdin.WriteAsync('\0');
            await stdin.FlushAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The trainer ended (or was stopped) before it read the source: its exit status tells what happened.
            _session.Log(MessageType.Log, $"training {run.Target}: the source was not delivered: {e.Message}");
        }
    }

    private async Task PumpAsync(TrainingRun run)
    {
        var process = run.Process!;
        string? finalStatus = null;
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Length == 0 || line[0] != '{') { _session.Log(MessageType.Log, $"[{run.Target}] {line}"); continue; }
                JObject e;
                try { e = JObject.Parse(line); }
                catch (JsonException) { _session.Log(MessageType.Log, $"[{run.Target}] {line}"); continue; }
                // The line as the trainer wrote it goes to the client (fields this server does not know included); what the
                // server itself reads comes from the typed event (null: not one of this protocol version's events).
                var typed = ProgressJson.Read(line);
                if (typed is StartedEvent or FinishedEvent or FailedEvent && RunDirOf(typed) is { } dir) run.RunDir = InsideWorkspace(run, dir);
                if (typed is StartedEvent started)
                    foreach (var w in started.Warnings)
                        _session.Log(MessageType.Warning, $"training {run.Target}: {w} (outside what it trains; not fatal)");
                await _session.NotifySafeAsync(EventNotification, new JObject
                {
                    ["uri"] = run.Uri, ["target"] = run.Target, ["runDir"] = run.RunDir, ["event"] = e,
                });
                await ReportProgressAsync(run, typed);
                if (typed is FinishedEvent or FailedEvent) finalStatus = Summarise(typed);
            }
            await process.WaitForExitAsync();
        }
        catch (Exception e)
        {
            // Whatever goes wrong here, the run must end below: a run left in the table is "already training" forever.
            _session.Log(MessageType.Warning, $"training {run.Target}: {e.GetType().Name}: {e.Message}");
        }
        try
        {
            int? code = process.HasExited ? process.ExitCode : null;
            finalStatus ??= run.StopRequested ? "■ stopped" : $"✗ trainer exited with code {code}";
            if (finalStatus.StartsWith('✗') && run.StderrTail.Count > 0)
                _session.Log(MessageType.Error, $"training {run.Target} failed:\n{string.Join("\n", run.StderrTail)}");
            _lastResults[Key(run.Uri, run.Target)] = finalStatus;
            await EndProgressAsync(run, finalStatus);
        }
        finally
        {
            _runs.TryRemove(Key(run.Uri, run.Target), out _);
            process.Dispose();
        }
        await RefreshCodeLensAsync();
    }

    private async Task PumpStderrAsync(TrainingRun run)
    {
        try
        {
            while (await run.Process!.StandardError.ReadLineAsync() is { } line)
            {
                lock (run.StderrTail)
                {
                    run.StderrTail.Add(line);
                    if (run.StderrTail.Count > 20) run.StderrTail.RemoveAt(0);
                }
                _session.Options.LogWriter?.WriteLine($"[train {run.Target}] {line}");
            }
        }
        catch (Exception) { }
    }

    /// <summary>Run folders are only reported when they are really (symbolic links resolved) inside the workspace.</summary>
    private string? InsideWorkspace(TrainingRun run, string dir)
    {
        var full = RealPath(Path.GetFullPath(dir, run.Workspace));
        if (full.StartsWith(WithSeparator(RealPath(run.Workspace)), StringComparison.Ordinal)) return full;
        _session.Log(MessageType.Warning, $"training {run.Target}: run folder {full} is outside the workspace {run.Workspace}; not reported");
        return null;
    }

    /// <summary>The workspace folder that holds the file (a folder "/" included), else the file's own folder. Always a full path.</summary>
    private string WorkspaceFor(string file)
    {
        foreach (var folder in _session.WorkspaceFolders)
        {
            if (!Uri.TryCreate(folder, UriKind.Absolute, out var u) || !u.IsFile) continue;
            var root = Path.GetFullPath(u.LocalPath);
            if (file.StartsWith(WithSeparator(root), StringComparison.Ordinal)) return Path.TrimEndingDirectorySeparator(root);
        }
        return Path.GetDirectoryName(file)!;
    }

    private static string WithSeparator(string folder) => Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;

    private static string? RunDirOf(ProgressEvent e) => e switch
    {
        StartedEvent s => s.RunDir,
        FinishedEvent f => f.RunDir,
        FailedEvent f => f.RunDir,
        _ => null,
    };

    /// <summary>The result lens and the end of the progress: "✓ finished: accuracy 0.91, loss 0.3", a GAN's losses and sample scores.</summary>
    internal static string Summarise(ProgressEvent e)
    {
        if (e is FailedEvent failed) return "✗ failed: " + (failed.Reason is { Length: > 0 } r ? r : "unknown reason");
        if (e is not FinishedEvent f) return "";
        var parts = new List<string>();
        foreach (var (key, value) in new[] { ("accuracy", f.Accuracy), ("loss", f.Loss), ("loss_d", f.LossD), ("loss_g", f.LossG) })
            if (value is double v && double.IsFinite(v)) parts.Add($"{key} {Number(v, "0.###")}");
        // a generative run's sample scores (docs/training.md): "FD 12.3 · 94% confident · 4/4 classes"
        if (f.Fd is double fd && double.IsFinite(fd))
            parts.Add($"FD {Number(fd, "0.0")} · {Number((f.Confident ?? double.NaN) * 100, "0")}% confident · {f.Coverage}/{f.Classes} classes");
        return (f.Status == "stopped" ? "■ stopped" : "✓ " + f.Status) + (parts.Count > 0 ? ": " + string.Join(", ", parts) : "");
    }

    private static string Number(double v, string format) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    // ---- work-done progress ----

    private async Task BeginProgressAsync(TrainingRun run)
    {
        if (!_session.ClientSupportsWorkDoneProgress) return;
        var token = "annlsp-train-" + Guid.NewGuid().ToString("N");
        try
        {
            await _session.Rpc.InvokeWithParameterObjectAsync<object?>("window/workDoneProgress/create", new WorkDoneProgressCreateParams(token));
            run.ProgressToken = token;
            await _session.NotifySafeAsync("$/progress", new ProgressParams(token, new WorkDoneProgressBegin($"Training {run.Target}", Cancellable: true, Message: "starting", Percentage: 0)));
        }
        catch (Exception e)
        {
            _session.Log(MessageType.Warning, $"no progress for training {run.Target}: {e.Message}");
        }
    }

    private async Task ReportProgressAsync(TrainingRun run, ProgressEvent? e)
    {
        if (run.ProgressToken is null) return;
        string message;
        int? percentage = null;
        switch (e)
        {
            case StartedEvent s:
                run.Epochs = s.Epochs;
                message = $"{s.Device} · {s.Epochs} epochs";
                break;
            case StepEvent s:
                int steps = Math.Max(1, s.Steps);
                message = $"epoch {s.Epoch}/{run.Epochs} · step {s.Step}/{steps} · {Losses(s.Loss, s.LossD, s.LossG)}";
                if (run.Epochs is > 0) percentage = (int)Math.Clamp(100.0 * ((s.Epoch - 1) + (double)s.Step / steps) / run.Epochs.Value, 0, 100);
                break;
            case EpochEvent s:
                run.Epochs = s.Epochs;
                message = $"epoch {s.Epoch}/{s.Epochs} done · {Losses(s.Loss, s.LossD, s.LossG)}" + (s.Accuracy is double a && double.IsFinite(a) ? $" · accuracy {Number(a, "0.###")}" : "");
                if (s.Epochs > 0) percentage = (int)Math.Clamp(100.0 * s.Epoch / s.Epochs, 0, 100);
                break;
            default:
                return;
        }
        await _session.NotifySafeAsync("$/progress", new ProgressParams(run.ProgressToken, new WorkDoneProgressReport(message, percentage)));
    }

    /// <summary>A classifier's `loss`, or a GAN's `loss_d` and `loss_g`.</summary>
    private static string Losses(double? loss, double? lossD, double? lossG) =>
        loss is not null || lossD is null
            ? $"loss {Number(loss ?? double.NaN, "0.###")}"
            : $"loss_d {Number(lossD.Value, "0.###")} · loss_g {Number(lossG ?? double.NaN, "0.###")}";

    private async Task EndProgressAsync(TrainingRun run, string summary)
    {
        if (run.ProgressToken is null) return;
        await _session.NotifySafeAsync("$/progress", new ProgressParams(run.ProgressToken, new WorkDoneProgressEnd(summary)));
    }

    private async Task RefreshCodeLensAsync()
    {
        if (_session.ClientCapabilities.SelectToken("workspace.codeLens.refreshSupport")?.Type != JTokenType.Boolean) return;
        if (!_session.ClientCapabilities.SelectToken("workspace.codeLens.refreshSupport")!.Value<bool>()) return;
        try { await _session.Rpc.InvokeWithParameterObjectAsync<object?>("workspace/codeLens/refresh", null); }
        catch (Exception) { }
    }

    private const int SigTerm = 15;

    /// <summary>The path with every symbolic link resolved: libc realpath(3) of its longest existing part, the rest as written.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return full;
        for (string? existing = full; existing is not null; existing = Path.GetDirectoryName(existing))
        {
            var resolved = RealPathNative(existing, IntPtr.Zero);
            if (resolved == IntPtr.Zero) continue;
            try
            {
                var real = Marshal.PtrToStringUTF8(resolved)!;
                var rest = Path.GetRelativePath(existing, full);
                return rest == "." ? real : Path.Join(real, rest);
            }
            finally { Free(resolved); }
        }
        return full;
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathNative(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

public sealed class TrainingRun(string uri, string target, string workspace)
{
    public string Uri { get; } = uri;
    public string Target { get; } = target;
    public string Workspace { get; } = workspace;
    public Process? Process { get; set; }
    public Task? Completion { get; set; }
    public string? RunDir { get; set; }
    public string? ProgressToken { get; set; }
    public int? Epochs { get; set; }
    public bool StopRequested { get; set; }
    public List<string> StderrTail { get; } = new();
}
