using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>Incremental text synchronisation into the <see cref="Documents.DocumentStore"/>.</summary>
public sealed class TextDocumentSyncHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.TextDocumentSync = new TextDocumentSyncOptions
        {
            OpenClose = true,
            Change = TextDocumentSyncKind.Incremental,
            Save = new SaveOptions(IncludeText: false),
        };

    [LspMethod("textDocument/didOpen")]
    public void DidOpen(DidOpenTextDocumentParams request) =>
        session.Documents.Open(request.TextDocument.Uri, request.TextDocument.Version, request.TextDocument.Text);

    [LspMethod("textDocument/didChange")]
    public void DidChange(DidChangeTextDocumentParams request)
    {
        if (!session.Documents.TryGet(request.TextDocument.Uri, out _))
        {
            session.Log(MessageType.Warning, $"didChange for a document that is not open: {request.TextDocument.Uri}");
            return;
        }
        session.Documents.Change(request.TextDocument.Uri, request.TextDocument.Version, request.ContentChanges);
    }

    [LspMethod("textDocument/didClose")]
    public void DidClose(DidCloseTextDocumentParams request) => session.Documents.Close(request.TextDocument.Uri);

    [LspMethod("textDocument/didSave")]
    public void DidSave(DidSaveTextDocumentParams request) { }
}
