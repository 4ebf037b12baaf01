using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>The outline: declarations with their layers (and output shapes) or properties as children.</summary>
public static class DocumentSymbolProvider
{
    public static List<OutlineItem> Outline(DocumentAnalysis analysis) =>
        analysis.Root.Declarations.Where(d => !d.Name.IsMissing || d is TrainDeclarationSyntax).Select(d => Declaration(analysis, d)).ToList();

    private static OutlineItem Declaration(DocumentAnalysis analysis, DeclarationSyntax declaration)
    {
        var nameSpan = declaration.Name.IsMissing ? declaration.Keyword.Span : declaration.Name.Span;
        return declaration switch
        {
            NetworkDeclarationSyntax network => new OutlineItem(network.Name.Text,
                analysis.Networks.TryGetValue(network.Name.Text, out var model) ? $"network {model.Input} → {model.Output}" : "network",
                OutlineKind.Network, declaration.Span, nameSpan, Layers(analysis, network.Body)),
            BlockDeclarationSyntax block => new OutlineItem(block.Name.Text, "block " + SyntaxQueries.BlockSignature(block),
                OutlineKind.Block, declaration.Span, nameSpan, Layers(analysis, block.Body)),
            GanDeclarationSyntax gan => new OutlineItem(gan.Name.Text, "gan", OutlineKind.Gan, declaration.Span, nameSpan, Properties(gan.Body)),
            DiffusionDeclarationSyntax diffusion => new OutlineItem(diffusion.Name.Text, "diffusion", OutlineKind.Gan, declaration.Span, nameSpan, Properties(diffusion.Body)),
            TrainDeclarationSyntax train => new OutlineItem(
                "train " + (train.Name.IsMissing ? "?" : train.Name.Text) + (train.RunName is null ? "" : " as " + train.RunName.Name.Text),
                "training", OutlineKind.Train, declaration.Span, nameSpan, Properties(train.Body)),
            // Every declaration kind is listed above; an unknown one still gets a plain entry rather than an exception.
            _ => new OutlineItem(declaration.Name.Text, null, OutlineKind.Network, declaration.Span, nameSpan, null),
        };
    }

    private static List<OutlineItem> Layers(DocumentAnalysis analysis, StackBodySyntax body) =>
        body.Layers.Select(item =>
        {
            var output = analysis.FactsFor(item).Select(f => f.Output).FirstOrDefault(s => s.IsKnown);
            var name = item switch
            {
                LayerSyntax layer => layer.Name.Text,
                ResidualSyntax => "residual",
                _ => "?",
            };
            return new OutlineItem(
                string.IsNullOrEmpty(name) ? "?" : name,
                output is null ? null : "→ " + output,
                item is ResidualSyntax ? OutlineKind.Residual : OutlineKind.Layer,
                item.Span,
                item is LayerSyntax l ? l.Name.Span : ((ResidualSyntax)item).Keyword.Span,
                item is ResidualSyntax r ? Layers(analysis, r.Body) : null);
        }).ToList();

    private static List<OutlineItem> Properties(PropertyBodySyntax body) =>
        body.Properties.Where(p => !p.Name.IsMissing)
            .Select(p => new OutlineItem(p.Name.Text, p.Value.ToFullString().Trim(), OutlineKind.Property, p.Span, p.Name.Span, null)).ToList();
}
