using System.Text;
using Annlsp.Language.Editor;
using Annlsp.Language.Text;

namespace Annlsp.Language.Tests.Editor;

/// <summary>
/// Renders what an editor feature answers for a fixture as readable text: one renderer per feature folder of
/// tests/editor. Positions are 1-based `line:column`; ranges `(line,col)-(line,col)`.
/// </summary>
public static class EditorRenderer
{
    public static readonly IReadOnlyDictionary<string, Func<EditorFixture, string>> Features = new Dictionary<string, Func<EditorFixture, string>>
    {
        ["completion"] = Completion,
        ["hover"] = Hover,
        ["signature-help"] = SignatureHelp,
        ["inlay-hints"] = InlayHints,
        ["symbols"] = Symbols,
        ["folding"] = Folding,
        ["semantic-tokens"] = SemanticTokens,
        ["code-actions"] = CodeActions,
        ["formatting"] = Formatting,
    };

    /// <summary>For each caret: every entry in the editor's order as `label — description`, values with their detail.</summary>
    public static string Completion(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        for (int c = 0; c < fixture.Carets.Count; c++)
        {
            sb.AppendLine(fixture.CaretHeading(c));
            var entries = CompletionProvider.Complete(analysis, fixture.Carets[c])
                .OrderBy(x => x.SortText ?? x.Label, StringComparer.Ordinal).ThenBy(x => x.Label, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                sb.AppendLine(entry.Description is { } d ? $"{entry.Label} — {d}" : entry.Label);
                if (entry.Kind == CompletionEntryKind.Value) sb.AppendLine($"    {entry.Detail}");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>For each caret: the hovered text and the markdown, or `(no hover)`.</summary>
    public static string Hover(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        for (int c = 0; c < fixture.Carets.Count; c++)
        {
            sb.AppendLine(fixture.CaretHeading(c));
            if (HoverProvider.Describe(analysis, fixture.Carets[c]) is { } hover)
            {
                sb.AppendLine($"-- on \"{Slice(analysis.Text, hover.Span)}\" {Range(analysis.Text, hover.Span)}");
                sb.AppendLine(hover.Markdown);
            }
            else sb.AppendLine("(no hover)");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>For each caret: the signature, then its parameters, the active one marked `▶`.</summary>
    public static string SignatureHelp(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        for (int c = 0; c < fixture.Carets.Count; c++)
        {
            sb.AppendLine(fixture.CaretHeading(c));
            if (SignatureHelpProvider.Help(analysis, fixture.Carets[c]) is { } signature)
            {
                sb.AppendLine(signature.Label);
                sb.AppendLine($"    {signature.Documentation}");
                for (int i = 0; i < signature.Parameters.Count; i++)
                    sb.AppendLine($"  {(signature.ActiveParameter == i ? "▶" : " ")} {signature.Parameters[i].Label} — {signature.Parameters[i].Documentation}");
                if (signature.ActiveParameter is null) sb.AppendLine("  (no active parameter)");
            }
            else sb.AppendLine("(no signature)");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>The text with each hint written where the editor shows it, as `⟨label⟩`.</summary>
    public static string InlayHints(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var text = fixture.Text;
        var sb = new StringBuilder();
        int at = 0;
        foreach (var hint in InlayHintProvider.Hints(analysis, 0, text.Length).OrderBy(h => h.Offset))
        {
            sb.Append(text, at, hint.Offset - at).Append(" ⟨").Append(hint.Label).Append('⟩');
            at = hint.Offset;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The outline as an indented tree: kind, name, detail, range and the name's range.</summary>
    public static string Symbols(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        void Write(OutlineItem item, int depth)
        {
            sb.AppendLine($"{new string(' ', 2 * depth)}{item.Kind.ToString().ToLowerInvariant()} {item.Name}{(item.Detail is null ? "" : $" — {item.Detail}")}  {Range(analysis.Text, item.Span)} name {Range(analysis.Text, item.NameSpan)}");
            foreach (var child in item.Children ?? []) Write(child, depth + 1);
        }
        foreach (var item in DocumentSymbolProvider.Outline(analysis)) Write(item, 0);
        return sb.ToString();
    }

    /// <summary>Each fold: its kind, its 1-based lines and the line it starts on.</summary>
    public static string Folding(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var lines = fixture.Text.Split('\n');
        var sb = new StringBuilder();
        foreach (var fold in FoldingProvider.Folds(analysis).OrderBy(f => f.StartLine).ThenBy(f => f.EndLine))
            sb.AppendLine($"{fold.Kind.ToString().ToLowerInvariant()} {fold.StartLine + 1}-{fold.EndLine + 1}: {lines[fold.StartLine].Trim()}");
        return sb.ToString();
    }

    /// <summary>Each classified token: where, its text, its class and modifiers.</summary>
    public static string SemanticTokens(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        foreach (var span in SemanticTokenProvider.Classify(analysis))
        {
            var p = analysis.Text.GetPosition(span.Start);
            string modifiers = span.Modifiers == TokenModifiers.None ? "" : " " + span.Modifiers.ToString().ToLowerInvariant().Replace(" ", "");
            sb.AppendLine($"{p.Line + 1}:{p.Character + 1} {fixture.Text.Substring(span.Start, span.Length)}  {span.Class.ToString().ToLowerInvariant()}{modifiers}");
        }
        return sb.ToString();
    }

    /// <summary>For each caret (an empty range there): every quick fix, the diagnostic it resolves and its edits.</summary>
    public static string CodeActions(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var sb = new StringBuilder();
        for (int c = 0; c < fixture.Carets.Count; c++)
        {
            sb.AppendLine(fixture.CaretHeading(c));
            var fixes = CodeActionProvider.QuickFixes(analysis, new TextSpan(fixture.Carets[c], 0));
            if (fixes.Count == 0) sb.AppendLine("(no quick fixes)");
            foreach (var fix in fixes)
            {
                sb.AppendLine($"\"{fix.Title}\"{(fix.IsPreferred ? " (preferred)" : "")} for {fix.Diagnostic.Code} {Range(analysis.Text, fix.Diagnostic.Span)}: {fix.Diagnostic.Message}");
                foreach (var edit in fix.Edits) sb.AppendLine($"    {Range(analysis.Text, edit.Span)} -> \"{Escape(edit.NewText)}\"");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>The outcome, then the canonical text (four-space indents) or the syntax errors that leave the text alone.</summary>
    public static string Formatting(EditorFixture fixture)
    {
        var analysis = DocumentAnalysis.Analyze(fixture.Text);
        var result = CanonicalFormatter.FormatDocument(analysis);
        string heading = result.Outcome switch
        {
            FormatOutcome.Unchanged => "unchanged",
            FormatOutcome.Formatted => "formatted",
            FormatOutcome.SyntaxErrors => "syntax errors: left as it is",
            _ => "refused: the layout would change the tokens",
        };
        var sb = new StringBuilder($"== {heading} ==\n");
        if (result.Outcome == FormatOutcome.SyntaxErrors)
            foreach (var d in result.SyntaxErrors) sb.AppendLine($"{Range(analysis.Text, d.Span)} {d.Code}: {d.Message}");
        else sb.Append(result.Text);
        return sb.ToString();
    }

    private static string Slice(SourceText text, TextSpan span) => text.Text.Substring(span.Start, span.Length);

    private static string Range(SourceText text, TextSpan span)
    {
        var (s, e) = text.GetRange(span);
        return $"({s.Line + 1},{s.Character + 1})-({e.Line + 1},{e.Character + 1})";
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\"", "\\\"");
}
