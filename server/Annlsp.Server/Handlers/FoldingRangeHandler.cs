using Annlsp.Language.Syntax;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/foldingRange: every `{ … }` and `( … )` spanning lines, and runs of comment lines.</summary>
public sealed class FoldingRangeHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.FoldingRangeProvider = true;

    [LspMethod("textDocument/foldingRange")]
    public async Task<List<FoldingRange>> FoldingRanges(FoldingRangeParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var text = analysis.Text;
        var ranges = new List<FoldingRange>();
        foreach (var node in analysis.Root.DescendantNodes())
        {
            (SyntaxToken open, SyntaxToken close)? pair = node switch
            {
                StackBodySyntax s => (s.OpenBrace, s.CloseBrace),
                PropertyBodySyntax p => (p.OpenBrace, p.CloseBrace),
                ArgumentListSyntax a => (a.OpenParen, a.CloseParen),
                _ => null,
            };
            if (pair is not { } b || b.open.IsMissing) continue;
            int startLine = LspTranslator.ToLine(text, b.open.Position);
            int endLine = b.close.IsMissing ? LspTranslator.ToLine(text, node.Span.End) : LspTranslator.ToLine(text, b.close.Position) - 1;
            if (endLine > startLine) ranges.Add(new FoldingRange(startLine, endLine, FoldingRangeKind.Region));
        }
        // Consecutive comment lines.
        int runStart = -1, runEnd = -1;
        foreach (var token in analysis.Root.Tokens())
        {
            foreach (var trivia in token.LeadingTrivia)
            {
                if (trivia.Kind != SyntaxKind.Comment) continue;
                int line = LspTranslator.ToLine(text, trivia.Position);
                if (line == runEnd + 1 && runStart >= 0) runEnd = line;
                else
                {
                    if (runEnd > runStart) ranges.Add(new FoldingRange(runStart, runEnd, FoldingRangeKind.Comment));
                    runStart = runEnd = line;
                }
            }
        }
        if (runEnd > runStart && runStart >= 0) ranges.Add(new FoldingRange(runStart, runEnd, FoldingRangeKind.Comment));
        return ranges;
    }
}
