using Annlsp.Language;
using Annlsp.Server.Formatting;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/formatting with <see cref="CanonicalFormatter"/>; the result is re-parsed and must have the same tokens and comments, or nothing is changed.</summary>
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
        var formatted = await Task.Run(() => CanonicalFormatter.Format(analysis, indent), cancellationToken);
        if (formatted is null)
        {
            session.Log(MessageType.Info, $"formatting skipped: {snapshot.Uri} has syntax errors");
            return new();
        }
        if (formatted == analysis.Text.Text) return new();
        var check = await Task.Run(() => DocumentAnalysis.Analyze(formatted, cancellationToken), cancellationToken);
        if (!CanonicalFormatter.Significant(check).SequenceEqual(CanonicalFormatter.Significant(analysis)))
        {
            session.Log(MessageType.Error, $"formatting refused: the result of formatting {snapshot.Uri} would change its tokens (a formatter bug)");
            return new();
        }
        var whole = LspTranslator.ToRange(analysis.Text, new Language.Text.TextSpan(0, analysis.Text.Length));
        return [new TextEdit(whole, formatted)];
    }
}
