using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/foldingRange: <see cref="FoldingProvider"/>, translated.</summary>
public sealed class FoldingRangeHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.FoldingRangeProvider = true;

    [LspMethod("textDocument/foldingRange")]
    public async Task<List<FoldingRange>> FoldingRanges(FoldingRangeParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        return FoldingProvider.Folds(analysis).Select(LspTranslator.ToFoldingRange).ToList();
    }
}
