using Annlsp.Server.Protocol;

namespace Annlsp.Server.Handlers;

/// <summary>
/// One LSP capability. A handler is an RPC target: its methods carry [LspMethod("textDocument/…")] and take
/// the spec's params object plus a CancellationToken (wired to $/cancelRequest). It declares its own part of
/// the server's capabilities here. All handlers are listed in <see cref="HandlerRegistry"/>.
/// </summary>
public interface IHandler
{
    void Contribute(ServerCapabilities capabilities) { }
}
