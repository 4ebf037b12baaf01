using System.Diagnostics;
using Annlsp.Server.Documents;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;

namespace Annlsp.Server.Handlers;

/// <summary>
/// Push diagnostics (textDocument/publishDiagnostics). Every new snapshot schedules a publish: at once after a
/// pause in typing, after <see cref="ServerOptions.DiagnosticsDelay"/> within a burst; a newer snapshot supersedes
/// (cancels) the older one's wait and analysis, so a burst of keystrokes is analysed once and the newest text wins. Publishing is
/// serialised and never goes back to an older version.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification =
    "_publishing's wait handle is never asked for, so it holds nothing to release; the publisher lives as long as the session")]
public sealed class DiagnosticsPublisher : IHandler
{
    private readonly ServerSession _session;
    private readonly SemaphoreSlim _publishing = new(1, 1);
    /// <summary>Each document's latest change: when it came and its snapshot.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long At, DocumentSnapshot Snapshot)> _lastChange = new(StringComparer.Ordinal);

    /// <summary>Changes closer together than this are a burst: only they wait for <see cref="ServerOptions.DiagnosticsDelay"/>.</summary>
    public static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(50);

    public DiagnosticsPublisher(ServerSession session)
    {
        _session = session;
        session.Documents.Changed += snapshot =>
        {
            // Leading edge: a change after a pause is analysed at once; changes in a burst are debounced. A change
            // whose predecessor is already analysed is no burst however close: there is nothing to coalesce, and the
            // wait would only add to every keystroke of a typist as fast as the analysis.
            long now = Stopwatch.GetTimestamp();
            bool burst = _lastChange.TryGetValue(snapshot.Uri, out var previous)
                         && Stopwatch.GetElapsedTime(previous.At, now) < BurstWindow && !previous.Snapshot.HasAnalysis;
            _lastChange[snapshot.Uri] = (now, snapshot);
            _ = Task.Run(() => PublishAsync(snapshot, burst));
        };
        // Diagnostics of a text the server no longer knows would describe a document the user does not have.
        session.Documents.OutOfSync += (uri, reason) => Task.Run(() => ClearAsync(uri));
        session.Documents.Closed += uri =>
        {
            _lastChange.TryRemove(uri, out _);
            _ = Task.Run(() => ClearAsync(uri));
        };
    }

    private async Task PublishAsync(DocumentSnapshot snapshot, bool burst)
    {
        try
        {
            var delay = burst ? _session.Options.DiagnosticsDelay : TimeSpan.Zero;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, snapshot.Superseded).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            var analysis = await snapshot.GetAnalysisAsync().ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            var diagnostics = analysis.Diagnostics.Select(d => LspTranslator.ToDiagnostic(analysis, snapshot.Uri, d)).ToList();
            if (SizeNotice(snapshot) is { } notice) diagnostics.Insert(0, LspTranslator.ToDiagnostic(analysis, snapshot.Uri, notice));
            await _publishing.WaitAsync().ConfigureAwait(false);
            try
            {
                if (snapshot.IsSuperseded) return;
                await _session.NotifySafeAsync("textDocument/publishDiagnostics",
                    new PublishDiagnosticsParams(snapshot.Uri, diagnostics, snapshot.Version)).ConfigureAwait(false);
            }
            finally { _publishing.Release(); }
            // The list only for a verbose trace: joined on every publish, it cost a big document's every keystroke.
            if (_session.Trace != "off")
                _session.TraceLog($"analysed {snapshot} in {elapsed:F1} ms: {diagnostics.Count} diagnostics",
                    _session.Trace == "verbose" ? string.Join("\n", analysis.Diagnostics.Select(d => d.ToString())) : null);
        }
        catch (OperationCanceledException) { }
        catch (Transport.LspException) { /* superseded while waiting */ }
        catch (Exception e)
        {
            _session.Log(MessageType.Error, $"diagnostics for {snapshot} failed: {e}");
        }
    }

    /// <summary>ANN5008 for a document past <see cref="ServerOptions.LargeDocumentLimit"/>: which features it does without, and why.</summary>
    private Language.Diagnostics.Diagnostic? SizeNotice(DocumentSnapshot snapshot)
    {
        if (snapshot.Size == DocumentSize.Normal) return null;
        var options = _session.Options;
        return Language.Diagnostics.DiagnosticBuilder.DocumentTooLarge(Amount(snapshot.Text.Length), Amount(options.LargeDocumentLimit),
            snapshot.Size == DocumentSize.TooLargeToAnalyse ? Amount(options.AnalysisLimit) : null);

        static string Amount(int characters) => characters >= 1024 * 1024
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{characters / 1048576.0:0.0} MiB")
            : $"{characters / 1024} KiB";
    }

    private async Task ClearAsync(string uri)
    {
        await _publishing.WaitAsync().ConfigureAwait(false);
        try
        {
            await _session.NotifySafeAsync("textDocument/publishDiagnostics", new PublishDiagnosticsParams(uri, new List<Diagnostic>())).ConfigureAwait(false);
        }
        finally { _publishing.Release(); }
    }
}
