using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/semanticTokens/full: <see cref="SemanticTokenProvider"/>'s classification, encoded by the translator.</summary>
public sealed class SemanticTokensHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.SemanticTokensProvider = new SemanticTokensOptions(new SemanticTokensLegend(LspTranslator.TokenTypes, LspTranslator.TokenModifierNames), Full: true);

    [LspMethod("textDocument/semanticTokens/full")]
    public async Task<SemanticTokens> Full(SemanticTokensParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return new SemanticTokens([]);   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        // Off the message loop: on a large document this is the most expensive request.
        return new SemanticTokens(await Task.Run(() => LspTranslator.ToSemanticTokens(analysis.Text, SemanticTokenProvider.Classify(analysis, cancellationToken)), cancellationToken));
    }
}
