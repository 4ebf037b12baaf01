using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>
/// Inlay hints: `→ 16×5×5` after every layer (after its `as NAME` when it has one; inside shortcuts and merge
/// chains too), `1×28×28 → 10` after each network's name, between two offsets.
/// </summary>
public static class InlayHintProvider
{
    public static List<ShapeHint> Hints(DocumentAnalysis analysis, int start, int end)
    {
        var hints = new List<ShapeHint>();
        foreach (var declaration in analysis.Root.Declarations)
        {
            if (declaration.FullSpan.End < start || declaration.FullSpan.Start > end) continue;
            StackBodySyntax? body = declaration switch
            {
                NetworkDeclarationSyntax n => n.Body,
                BlockDeclarationSyntax b => b.Body,
                _ => null,
            };
            if (body is null) continue;
            if (declaration is NetworkDeclarationSyntax network && !network.Name.IsMissing && analysis.Networks.TryGetValue(network.Name.Text, out var model)
                && network.Name.Span.End >= start && network.Name.Span.End <= end)
            {
                // Shapes only: the network's code lens shows its totals (VS Code cuts inlay hints at 43 characters).
                hints.Add(new ShapeHint(network.Name.Span.End, $"{model.Input} → {model.Output}"));
            }
            AddStack(analysis, body, start, end, hints);
        }
        return hints;
    }

    private static void AddStack(DocumentAnalysis analysis, StackBodySyntax body, int start, int end, List<ShapeHint> hints) =>
        AddItems(analysis, body.Layers, start, end, hints);

    /// <summary>
    /// A hint after each item, nested ones first: a residual's shortcut and body, a merge argument's chain. An
    /// item's span ends after its `as NAME`, so a named tensor's shape is shown once, after its name.
    /// </summary>
    private static void AddItems(DocumentAnalysis analysis, IReadOnlyList<StackItemSyntax> items, int start, int end, List<ShapeHint> hints)
    {
        foreach (var item in items)
        {
            if (item.Span.End < start || item.Span.Start > end) continue;
            if (item is ResidualSyntax residual)
            {
                if (residual.Shortcut?.Chain is { } shortcut) AddItems(analysis, shortcut.Layers, start, end, hints);
                AddStack(analysis, residual.Body, start, end, hints);
            }
            if (item is MergeSyntax merge)
                foreach (var argument in merge.Arguments)
                    if (argument.Chain is { } chain) AddItems(analysis, chain.Layers, start, end, hints);
            if (item is LayerSyntax { Name.Text: "input" }) continue;
            int at = item.Span.End;
            if (at < start || at > end) continue;
            var outputs = analysis.FactsFor(item).Select(f => f.Output).Where(s => s.IsKnown).Select(s => s.ToString()).Distinct().ToList();
            if (outputs.Count == 0) continue;
            hints.Add(new ShapeHint(at, "→ " + string.Join(" | ", outputs)));
        }
    }
}
