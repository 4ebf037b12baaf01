using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/documentSymbol: <see cref="DocumentSymbolProvider"/>'s outline, translated.</summary>
public sealed class DocumentSymbolHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.DocumentSymbolProvider = true;

    [LspMethod("textDocument/documentSymbol")]
    public async Task<List<DocumentSymbol>> DocumentSymbols(DocumentSymbolParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        return DocumentSymbolProvider.Outline(analysis).Select(item => LspTranslator.ToDocumentSymbol(analysis.Text, item)).ToList();
    }
}
