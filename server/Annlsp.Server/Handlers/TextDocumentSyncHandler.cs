using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Handlers;

/// <summary>Incremental text synchronisation into the <see cref="Documents.DocumentStore"/>.</summary>
public sealed class TextDocumentSyncHandler : IHandler
{
    private readonly ServerSession _session;
    private readonly JsonSerializer _serializer = JsonSerializer.Create();

    public TextDocumentSyncHandler(ServerSession session)
    {
        _session = session;
        LspSerializer.Configure(_serializer);
        // Said once per loss, where the user sees it: the editor shows one thing, the server would check another.
        _session.Documents.OutOfSync += (uri, reason) =>
        {
            _session.Log(MessageType.Error, $"lost track of {uri}: {reason}");
            _ = _session.NotifySafeAsync("window/showMessage", new ShowMessageParams(MessageType.Warning,
                $"annlsp lost track of {uri[(uri.LastIndexOf('/') + 1)..]} ({reason}). Close and reopen it to get diagnostics again."));
        };
    }

    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.TextDocumentSync = new TextDocumentSyncOptions
        {
            OpenClose = true,
            Change = TextDocumentSyncKind.Incremental,
            Save = new SaveOptions(IncludeText: false),
        };

    [LspMethod("textDocument/didOpen")]
    public void DidOpen(DidOpenTextDocumentParams request) =>
        _session.Documents.Open(request.TextDocument.Uri, request.TextDocument.Version, request.TextDocument.Text);

    /// <summary>
    /// Params are read here (not by the binder) so that a change that cannot be read is not dropped silently: the
    /// document is then out of sync, which the user is told, until a full text or a re-open.
    /// </summary>
    [LspMethod("textDocument/didChange")]
    public void DidChange(JToken? request)
    {
        string? uri = (request?["textDocument"] as JObject)?["uri"] is JValue { Type: JTokenType.String } u ? u.Value<string>() : null;
        DidChangeTextDocumentParams parameters;
        try
        {
            parameters = request?.ToObject<DidChangeTextDocumentParams>(_serializer) ?? throw new JsonSerializationException("no params");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            if (uri is not null && _session.Documents.TryGet(uri, out _)) _session.Documents.MarkOutOfSync(uri, $"a didChange could not be read ({e.Message})");
            else _session.Log(MessageType.Error, $"ignored a didChange that could not be read: {e.Message}");
            return;
        }
        if (!_session.Documents.TryGet(parameters.TextDocument.Uri, out _))
        {
            _session.Log(MessageType.Warning, $"didChange for a document that is not open: {parameters.TextDocument.Uri}");
            return;
        }
        _session.Documents.Change(parameters.TextDocument.Uri, parameters.TextDocument.Version, parameters.ContentChanges);
    }

    [LspMethod("textDocument/didClose")]
    public void DidClose(DidCloseTextDocumentParams request) => _session.Documents.Close(request.TextDocument.Uri);

    [LspMethod("textDocument/didSave")]
    public void DidSave(DidSaveTextDocumentParams request) { }
}
