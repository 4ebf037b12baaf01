using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>Folding: every `{ … }` and `( … )` spanning lines, and runs of comment lines.</summary>
public static class FoldingProvider
{
    public static List<Fold> Folds(DocumentAnalysis analysis)
    {
        var text = analysis.Text;
        var folds = new List<Fold>();
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
            int startLine = text.GetPosition(b.open.Position).Line;
            // The closing line stays visible; an unclosed pair folds to the end of its node.
            int endLine = b.close.IsMissing ? text.GetPosition(node.Span.End).Line : text.GetPosition(b.close.Position).Line - 1;
            if (endLine > startLine) folds.Add(new Fold(startLine, endLine, FoldKind.Region));
        }
        // Consecutive comment lines.
        int runStart = -1, runEnd = -1;
        foreach (var token in analysis.Root.Tokens())
        {
            foreach (var trivia in token.LeadingTrivia)
            {
                if (trivia.Kind != SyntaxKind.Comment) continue;
                int line = text.GetPosition(trivia.Position).Line;
                if (line == runEnd + 1 && runStart >= 0) runEnd = line;
                else
                {
                    if (runEnd > runStart) folds.Add(new Fold(runStart, runEnd, FoldKind.Comment));
                    runStart = runEnd = line;
                }
            }
        }
        if (runEnd > runStart && runStart >= 0) folds.Add(new Fold(runStart, runEnd, FoldKind.Comment));
        return folds;
    }
}
