using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/inlayHint: `→ 16×5×5` after every layer, `1×28×28 → 10` after each network's name.</summary>
public sealed class InlayHintHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.InlayHintProvider = true;

    [LspMethod("textDocument/inlayHint")]
    public async Task<List<InlayHint>> InlayHints(InlayHintParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var range = LspTranslator.ToSpan(analysis.Text, request.Range);
        return InlayHintProvider.Hints(analysis, range.Start, range.End);
    }
}

public static class InlayHintProvider
{
    public static List<InlayHint> Hints(DocumentAnalysis analysis, int start, int end)
    {
        var hints = new List<InlayHint>();
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
                hints.Add(new InlayHint(LspTranslator.ToPosition(analysis.Text, network.Name.Span.End),
                    // Shapes only: the network's code lens shows its totals (VS Code cuts inlay hints at 43 characters).
                    $"{model.Input} → {model.Output}",
                    InlayHintKind.Type, Tooltip: null, PaddingLeft: true));
            }
            AddStack(analysis, body, start, end, hints);
        }
        return hints;
    }

    private static void AddStack(DocumentAnalysis analysis, StackBodySyntax body, int start, int end, List<InlayHint> hints)
    {
        foreach (var item in body.Layers)
        {
            if (item is ResidualSyntax residual) AddStack(analysis, residual.Body, start, end, hints);
            if (item is LayerSyntax { Name.Text: "input" }) continue;
            int at = item.Span.End;
            if (at < start || at > end) continue;
            var outputs = analysis.FactsFor(item).Select(f => f.Output).Where(s => s.IsKnown).Select(s => s.ToString()).Distinct().ToList();
            if (outputs.Count == 0) continue;
            hints.Add(new InlayHint(LspTranslator.ToPosition(analysis.Text, at), "→ " + string.Join(" | ", outputs), InlayHintKind.Type, PaddingLeft: true));
        }
    }
}
