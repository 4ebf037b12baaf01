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

    public DocumentStore(Func<string, int, SourceText, DocumentSnapshot> create) => _create = create;

    public event Action<DocumentSnapshot>? Changed;
    public event Action<string>? Closed;

    public IEnumerable<DocumentSnapshot> All => _documents.Values;

    public DocumentSnapshot Open(string uri, int version, string text)
    {
        var snapshot = _create(uri, version, new SourceText(text));
        if (_documents.TryGetValue(uri, out var previous)) previous.Supersede();
        _documents[uri] = snapshot;
        Changed?.Invoke(snapshot);
        return snapshot;
    }

    /// <summary>Applies the changes in order: a change with a range edits the text as left by the previous one.</summary>
    public DocumentSnapshot Change(string uri, int? version, IReadOnlyList<TextDocumentContentChangeEvent> changes)
    {
        if (!_documents.TryGetValue(uri, out var current))
            throw new InvalidOperationException($"didChange for a document that is not open: {uri}");
        var text = current.Text;
        foreach (var change in changes)
        {
            if (change.Range is null)
            {
                text = new SourceText(change.Text);
                continue;
            }
            var span = LspTranslator.ToSpan(text, change.Range);
            var s = text.Text;
            text = new SourceText(string.Concat(s.AsSpan(0, span.Start), change.Text, s.AsSpan(span.End)));
        }
        var snapshot = _create(uri, version ?? current.Version + 1, text);
        current.Supersede();
        _documents[uri] = snapshot;
        Changed?.Invoke(snapshot);
        return snapshot;
    }

    public void Close(string uri)
    {
        if (_documents.TryRemove(uri, out var snapshot))
        {
            snapshot.Supersede();
            Closed?.Invoke(uri);
        }
    }

    public bool TryGet(string uri, out DocumentSnapshot snapshot) => _documents.TryGetValue(uri, out snapshot!);

    /// <summary>The snapshot for a request, or a JSON-RPC error the client can understand.</summary>
    public DocumentSnapshot Get(string uri) =>
        _documents.TryGetValue(uri, out var snapshot)
            ? snapshot
            : throw new Transport.LspException(LspErrorCodes.InvalidParams, $"document is not open: {uri}");
}
