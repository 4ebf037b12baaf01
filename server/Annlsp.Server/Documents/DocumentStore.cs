using System.Collections.Concurrent;
using Annlsp.Language.Text;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;

namespace Annlsp.Server.Documents;

/// <summary>
/// The open documents, each as its latest immutable <see cref="DocumentSnapshot"/>. Changes arrive in order
/// (the server's synchronisation context runs one notification at a time), so each update replaces the snapshot
/// and raises <see cref="Changed"/>; readers just take the current snapshot.
/// </summary>
public sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, DocumentSnapshot> _documents = new(DocumentUri.Comparer);
    private readonly Func<string, int, SourceText, DocumentSnapshot> _create;
    private readonly ConcurrentDictionary<string, string> _outOfSync = new(StringComparer.Ordinal);

    public DocumentStore(Func<string, int, SourceText, DocumentSnapshot> create) => _create = create;

    public event Action<DocumentSnapshot>? Changed;
    public event Action<string>? Closed;
    public event Action<string, string>? OutOfSync;

    public IEnumerable<DocumentSnapshot> All => _documents.Values;

    public DocumentSnapshot Open(string uri, int version, string text)
    {
        var snapshot = _create(uri, version, new SourceText(text));
        if (_documents.TryGetValue(uri, out var previous)) previous.Supersede();
        _outOfSync.TryRemove(uri, out _);
        _documents[uri] = snapshot;
        Changed?.Invoke(snapshot);
        return snapshot;
    }

    /// <summary>
    /// Applies the changes in order: a change with a range edits the text as left by the previous one (positions
    /// clamped to the text, as LSP asks). Returns null when the document is out of sync and stays so: the server no
    /// longer knows the client's text (an edit that could not be applied, <see cref="MarkOutOfSync"/>) and only a
    /// full-text change or a re-open brings it back; until then its requests are refused rather than answered for
    /// a text the user does not have.
    /// </summary>
    public DocumentSnapshot? Change(string uri, int? version, IReadOnlyList<TextDocumentContentChangeEvent> changes)
    {
        if (!_documents.TryGetValue(uri, out var current))
            throw new InvalidOperationException($"didChange for a document that is not open: {uri}");
        var text = current.Text;
        bool outOfSync = _outOfSync.ContainsKey(uri);
        foreach (var change in changes)
        {
            if (change.Range is null)
            {
                text = new SourceText(change.Text ?? "");
                outOfSync = false;
                continue;
            }
            if (outOfSync) continue;
            try
            {
                var span = LspTranslator.ToSpan(text, change.Range);
                var s = text.Text;
                text = new SourceText(string.Concat(s.AsSpan(0, span.Start), change.Text, s.AsSpan(span.End)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                MarkOutOfSync(uri, $"an edit at {change.Range.Start.Line}:{change.Range.Start.Character} could not be applied ({e.Message})");
                return null;
            }
        }
        if (outOfSync) return null;
        _outOfSync.TryRemove(uri, out _);
        var snapshot = _create(uri, version ?? current.Version + 1, text);
        current.Supersede();
        _documents[uri] = snapshot;
        Changed?.Invoke(snapshot);
        return snapshot;
    }

    /// <summary>The server no longer knows this document's text: refuse its requests and drop its diagnostics until a full text arrives.</summary>
    public void MarkOutOfSync(string uri, string reason)
    {
        if (!_documents.TryGetValue(uri, out var current)) return;
        _outOfSync[uri] = reason;
        current.Supersede();
        OutOfSync?.Invoke(uri, reason);
    }

    public bool IsOutOfSync(string uri) => _outOfSync.ContainsKey(uri);

    public void Close(string uri)
    {
        _outOfSync.TryRemove(uri, out _);
        if (_documents.TryRemove(uri, out var snapshot))
        {
            snapshot.Supersede();
            Closed?.Invoke(uri);
        }
    }

    public bool TryGet(string uri, out DocumentSnapshot snapshot) => _documents.TryGetValue(uri, out snapshot!);

    /// <summary>The snapshot for a request, or a JSON-RPC error the client can understand.</summary>
    public DocumentSnapshot Get(string uri)
    {
        if (!_documents.TryGetValue(uri, out var snapshot))
            throw new Transport.LspException(LspErrorCodes.InvalidParams, $"document is not open: {uri}");
        if (_outOfSync.TryGetValue(uri, out var reason))
            throw new Transport.LspException(LspErrorCodes.ContentModified, $"{uri} is out of sync with the editor ({reason}); close and reopen it");
        return snapshot;
    }
}
