using Annlsp.Server.Protocol;

namespace Annlsp.Server.Handlers;

/// <summary>The one place where the server's capabilities are assembled: one handler per LSP capability.</summary>
public static class HandlerRegistry
{
    public static IReadOnlyList<IHandler> Create(ServerSession session)
    {
        var handlers = new List<IHandler>();
        handlers.Add(new LifecycleHandler(session, () => Capabilities(handlers)));
        handlers.Add(new TextDocumentSyncHandler(session));
        return handlers;
    }

    private static ServerCapabilities Capabilities(IEnumerable<IHandler> handlers)
    {
        var capabilities = new ServerCapabilities { PositionEncoding = "utf-16" };
        foreach (var handler in handlers) handler.Contribute(capabilities);
        return capabilities;
    }
}
