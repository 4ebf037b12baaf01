using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/formatting: <see cref="CanonicalFormatter"/> with the request's indentation, as one edit of the whole text.</summary>
public sealed class FormattingHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.DocumentFormattingProvider = true;

    [LspMethod("textDocument/formatting")]
    public async Task<List<TextEdit>> Format(DocumentFormattingParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        string indent = request.Options.InsertSpaces ? new string(' ', Math.Clamp(request.Options.TabSize, 1, 16)) : "\t";
        var result = await Task.Run(() => CanonicalFormatter.FormatDocument(analysis, indent, cancellationToken), cancellationToken);
        switch (result.Outcome)
        {
            case FormatOutcome.Formatted:
                return [LspTranslator.ToWholeDocumentEdit(analysis.Text, result.Text)];
            case FormatOutcome.SyntaxErrors:
                session.Log(MessageType.Info, $"formatting skipped: {snapshot.Uri} has syntax errors");
                return [];
            case FormatOutcome.Refused:
                session.Log(MessageType.Error, $"formatting refused: the result of formatting {snapshot.Uri} would change its tokens (a formatter bug)");
                return [];
            default:
                return [];
        }
    }
}
