using System.Text;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>
/// One canonical layout for `.ann` text, computed from the full-fidelity syntax tree. Only whitespace changes:
/// the user's line structure is kept (one blank line at most in a row), lines are indented by nesting depth
/// (braces and parentheses), spacing within a line is normalised (`a, b`, `name: value`, `x -> y`, `2 * 3`,
/// `conv(…)`, `Name {`), trailing whitespace goes and the file ends in one newline. Comments are kept where
/// they are, and so is a column of `as NAME` aligned with spaces. Text with syntax errors is left alone. Idempotent: formatting the result changes nothing.
/// </summary>
public static class CanonicalFormatter
{
    /// <summary>
    /// Formats a document with the given indentation unit. As a safety net the result is re-parsed and must have
    /// exactly the same tokens and comments, or nothing is changed (<see cref="FormatOutcome.Refused"/>).
    /// </summary>
    public static FormatResult FormatDocument(DocumentAnalysis analysis, string indent = "    ", CancellationToken cancellationToken = default)
    {
        var formatted = Format(analysis, indent);
        if (formatted is null)
            return new FormatResult(FormatOutcome.SyntaxErrors, analysis.Text.Text, analysis.Diagnostics.Where(IsSyntaxError).ToList());
        if (formatted == analysis.Text.Text) return new FormatResult(FormatOutcome.Unchanged, formatted, []);
        var check = DocumentAnalysis.Analyze(formatted, cancellationToken);
        if (!Significant(check).SequenceEqual(Significant(analysis))) return new FormatResult(FormatOutcome.Refused, analysis.Text.Text, []);
        return new FormatResult(FormatOutcome.Formatted, formatted, []);
    }

    private static bool IsSyntaxError(Diagnostics.Diagnostic d) => d.Code.StartsWith("ANN1", StringComparison.Ordinal);

    /// <summary>The canonical layout of the text; null when it has syntax errors.</summary>
    public static string? Format(DocumentAnalysis analysis, string indent = "    ")
    {
        if (analysis.Diagnostics.Any(IsSyntaxError)) return null;
        var output = new StringBuilder(analysis.Text.Length + 64);
        var line = new StringBuilder();
        int depth = 0;
        int blankRun = 0;
        bool lineHasContent = false;
        SyntaxToken? previous = null;
        bool anyLine = false;

        void EndLine()
        {
            var s = line.ToString().TrimEnd();
            line.Clear();
            if (s.Length == 0)
            {
                if (!anyLine) return;             // no blank lines at the top
                blankRun++;
                if (blankRun > 1) return;         // at most one blank line in a row
            }
            else blankRun = 0;
            output.Append(s).Append('\n');
            anyLine = true;
            lineHasContent = false;
        }

        void StartContent(int lineDepth)
        {
            if (!lineHasContent)
            {
                for (int i = 0; i < Math.Max(0, lineDepth); i++) line.Append(indent);
                lineHasContent = true;
            }
        }

        foreach (var token in analysis.Root.Tokens())
        {
            bool newLineSeen = false;
            string pendingSpace = "";
            foreach (var trivia in token.LeadingTrivia)
            {
                switch (trivia.Kind)
                {
                    case SyntaxKind.NewLine:
                        EndLine();
                        newLineSeen = true;
                        pendingSpace = "";
                        break;
                    case SyntaxKind.Whitespace:
                        pendingSpace = trivia.Text;
                        break;
                    case SyntaxKind.Comment:
                        if (lineHasContent)
                            line.Append(pendingSpace.Length == 0 ? " " : pendingSpace.Replace("\t", " "));
                        else
                            StartContent(depth - (ClosesAt(token) && !newLineSeen ? 0 : 0));
                        line.Append(trivia.Text.TrimEnd());
                        pendingSpace = "";
                        break;
                }
            }
            if (token.Kind == SyntaxKind.EndOfFile) break;
            if (token.IsMissing) continue;

            if (!lineHasContent)
            {
                StartContent(ClosesAt(token) ? depth - 1 : depth);
            }
            else if (previous is not null && !(newLineSeen))
            {
                // `as e1` may be aligned in a column, as trailing comments are: the user's spaces stay.
                if (IsTensorAs(token) && pendingSpace.Length > 1) line.Append(pendingSpace.Replace("\t", " "));
                else if (NeedsSpace(previous, token)) line.Append(' ');
            }
            else if (previous is not null && NeedsSpace(previous, token))
            {
                line.Append(' ');
            }
            line.Append(token.Text);
            if (token.Kind is SyntaxKind.OpenBrace or SyntaxKind.OpenParen) depth++;
            else if (token.Kind is SyntaxKind.CloseBrace or SyntaxKind.CloseParen) depth = Math.Max(0, depth - 1);
            previous = token;
        }
        EndLine();
        // Drop trailing blank lines; end with exactly one newline (or nothing for an empty document).
        var result = output.ToString().TrimEnd('\n');
        return result.Length == 0 ? "" : result + "\n";
    }

    private static bool IsTensorAs(SyntaxToken token) => token.Parent is TensorNameSyntax t && t.AsWord == token;

    private static bool ClosesAt(SyntaxToken token) => token.Kind is SyntaxKind.CloseBrace or SyntaxKind.CloseParen;

    private static bool IsSuffixPart(SyntaxToken token) =>
        token.Parent is NameExpressionSyntax name && (name.SuffixColon == token || name.SuffixNumber == token);

    private static bool NeedsSpace(SyntaxToken left, SyntaxToken right)
    {
        if (IsSuffixPart(right) || (IsSuffixPart(left) && left.Kind == SyntaxKind.Colon)) return false;   // cuda:1
        switch (right.Kind)
        {
            case SyntaxKind.Comma:
            case SyntaxKind.CloseParen:
            case SyntaxKind.Colon:
                return false;
            case SyntaxKind.OpenParen:
                return left.Kind is not (SyntaxKind.Identifier or SyntaxKind.ResidualKeyword);   // conv(…), residual(shortcut: …)
        }
        if (left.Kind == SyntaxKind.OpenParen) return false;
        return true;
    }

    /// <summary>The token texts (and comment texts) in order: formatting must leave this unchanged.</summary>
    public static List<string> Significant(DocumentAnalysis analysis)
    {
        var list = new List<string>();
        foreach (var token in analysis.Root.Tokens())
        {
            foreach (var trivia in token.LeadingTrivia)
                if (trivia.Kind == SyntaxKind.Comment) list.Add(trivia.Text.TrimEnd());
            if (!token.IsMissing && token.Kind != SyntaxKind.EndOfFile) list.Add($"{token.Kind}:{token.Text}");
        }
        return list;
    }
}
