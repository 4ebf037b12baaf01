using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/inlayHint: <see cref="InlayHintProvider"/>'s shapes in the requested range, translated.</summary>
public sealed class InlayHintHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.InlayHintProvider = true;

    [LspMethod("textDocument/inlayHint")]
    public async Task<List<InlayHint>> InlayHints(InlayHintParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var range = LspTranslator.ToSpan(analysis.Text, request.Range);
        return InlayHintProvider.Hints(analysis, range.Start, range.End).Select(h => LspTranslator.ToInlayHint(analysis.Text, h)).ToList();
    }
}
