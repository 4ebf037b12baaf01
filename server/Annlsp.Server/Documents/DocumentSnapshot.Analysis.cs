using Annlsp.Language;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Documents;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification =
    "_superseded is only cancelled, never given a timer or a wait handle: it holds nothing to release, and snapshots are shared, so no one owns their disposal")]
public sealed partial class DocumentSnapshot
{
    private readonly CancellationTokenSource _superseded = new();
    private Lazy<Task<DocumentAnalysis>> _analysis = null!;

    /// <summary>What a document too large to analyse is answered from: nothing is found in it.</summary>
    private static readonly Lazy<DocumentAnalysis> NotAnalysed = new(() => DocumentAnalysis.Analyze(""));

    partial void InitAnalysis() =>
        _analysis = new Lazy<Task<DocumentAnalysis>>(
            () => Size == DocumentSize.TooLargeToAnalyse
                ? Task.FromResult(NotAnalysed.Value)
                : Task.Run(() =>
                {
                    Transport.TimingTrace.Mark($"analysis start v{Version}");
                    var analysis = DocumentAnalysis.Analyze(Text, _superseded.Token);
                    Transport.TimingTrace.Mark($"analysis end v{Version} (gen0/1/2 collections so far: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)})");
                    return analysis;
                }, _superseded.Token),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Cancelled when a newer version replaces this one (or the document closes).</summary>
    public CancellationToken Superseded => _superseded.Token;
    public bool IsSuperseded => _superseded.IsCancellationRequested;

    internal void Supersede()
    {
        try { _superseded.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Started on first use, on the thread pool. A request whose snapshot is superseded while it waits gets ContentModified.</summary>
    public async Task<DocumentAnalysis> GetAnalysisAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _analysis.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && IsSuperseded)
        {
            throw new LspException(LspErrorCodes.ContentModified, $"{Uri} changed while the request was being answered");
        }
    }

    public bool HasAnalysis => _analysis.IsValueCreated && _analysis.Value.IsCompletedSuccessfully;
}
