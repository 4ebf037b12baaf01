using Annlsp.Server.Protocol;
using Annlsp.Server.Training;

namespace Annlsp.Server.Handlers;

/// <summary>The one place where the server's capabilities are assembled: one handler per LSP capability.</summary>
public static class HandlerRegistry
{
    public static IReadOnlyList<IHandler> Create(ServerSession session)
    {
        var training = new TrainingManager(session);
        var handlers = new List<IHandler>();
        handlers.Add(new LifecycleHandler(session, () => Capabilities(handlers)));
        handlers.Add(new TextDocumentSyncHandler(session));
        handlers.Add(new DiagnosticsPublisher(session));
        handlers.Add(new CompletionHandler(session));
        handlers.Add(new HoverHandler(session));
        handlers.Add(new SignatureHelpHandler(session));
        handlers.Add(new InlayHintHandler(session));
        handlers.Add(new CodeActionHandler(session));
        handlers.Add(new DocumentSymbolHandler(session));
        handlers.Add(new FoldingRangeHandler(session));
        handlers.Add(new SemanticTokensHandler(session));
        handlers.Add(new FormattingHandler(session));
        handlers.Add(new DefinitionHandler(session));
        handlers.Add(new ReferencesHandler(session));
        handlers.Add(new DocumentHighlightHandler(session));
        handlers.Add(new RenameHandler(session));
        handlers.Add(new CodeLensHandler(session, training));
        handlers.Add(new ExecuteCommandHandler(session, training));
        return handlers;
    }

    private static ServerCapabilities Capabilities(IEnumerable<IHandler> handlers)
    {
        var capabilities = new ServerCapabilities { PositionEncoding = "utf-16" };
        foreach (var handler in handlers) handler.Contribute(capabilities);
        return capabilities;
    }
}
