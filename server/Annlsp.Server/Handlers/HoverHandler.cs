using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/hover: <see cref="HoverProvider"/>, translated.</summary>
public sealed class HoverHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.HoverProvider = true;

    [LspMethod("textDocument/hover")]
    public async Task<Hover?> Hover(HoverParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        int offset = LspTranslator.ToOffset(analysis.Text, request.Position);
        return HoverProvider.Describe(analysis, offset) is { } hover ? LspTranslator.ToHover(analysis.Text, hover) : null;
    }
}
