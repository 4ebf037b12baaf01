using Annlsp.Language.Diagnostics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Syntax;

/// <summary>Recovery: what the parser cannot place is skipped into <see cref="SkippedTokensSyntax"/>, reported once.</summary>
public sealed partial class Parser
{
    /// <param name="expected">what belongs there: "a parameter name"</param>
    private SkippedTokensSyntax SkipOne(string expected)
    {
        var t = Advance();
        if (t.Kind != SyntaxKind.BadToken) // the lexer already reported it
            _diagnostics.Add(DiagnosticBuilder.Unexpected(t.Span, expected, Describe(t)));
        return new SkippedTokensSyntax([t]);
    }

    /// <inheritdoc cref="SkipOne"/>
    private SkippedTokensSyntax SkipUntil(Func<SyntaxKind, bool> stop, string expected)
    {
        var first = Current;
        var skipped = new List<SyntaxToken> { Advance() };
        while (!stop(Current.Kind) && Current.Kind != SyntaxKind.EndOfFile) skipped.Add(Advance());
        var span = TextSpan.FromBounds(first.Position, skipped[^1].Span.End);
        if (skipped.Any(t => t.Kind != SyntaxKind.BadToken)) // bad characters were already reported by the lexer
            _diagnostics.Add(DiagnosticBuilder.Unexpected(span, expected, Describe(first)));
        return new SkippedTokensSyntax(skipped);
    }

    /// <summary>Skips a bracketed region (counting nesting, without recursion) starting at the current token.</summary>
    /// <param name="report">the diagnostic for the skipped region, at its first token</param>
    private SkippedTokensSyntax SkipBalanced(Func<TextSpan, Diagnostic> report)
    {
        var skipped = new List<SyntaxToken>();
        int depth = 0;
        var start = Current;
        do
        {
            var t = Advance();
            skipped.Add(t);
            if (t.Kind is SyntaxKind.OpenBrace or SyntaxKind.OpenParen) depth++;
            else if (t.Kind is SyntaxKind.CloseBrace or SyntaxKind.CloseParen) depth--;
        } while ((depth > 0 || skipped.Count == 1 && skipped[0].Kind == SyntaxKind.ResidualKeyword)
                 && !EndsDeclaration(Current.Kind)); // network/block/gan/train never nest: the next declaration starts there
        _diagnostics.Add(report(start.Span));
        return new SkippedTokensSyntax(skipped);
    }
}
