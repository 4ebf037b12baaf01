using Annlsp.Language.Text;

namespace Annlsp.Language.Editor;

/// <summary>Code actions: the checker's fixes for each diagnostic that overlaps a span, as quick fixes.</summary>
public static class CodeActionProvider
{
    public static List<QuickFix> QuickFixes(DocumentAnalysis analysis, TextSpan range)
    {
        var fixes = new List<QuickFix>();
        foreach (var diagnostic in analysis.Diagnostics)
        {
            if (diagnostic.Fixes.Count == 0) continue;
            // Overlapping the span (an empty span at a diagnostic's edge counts).
            if (diagnostic.Span.End < range.Start || diagnostic.Span.Start > range.End) continue;
            foreach (var fix in diagnostic.Fixes)
                // Preferred only when it is the one fix: with several, the user chooses.
                fixes.Add(new QuickFix(fix.Title, diagnostic, fix.Edits, fix.IsPreferred && diagnostic.Fixes.Count == 1));
        }
        return fixes;
    }
}
