using Annlsp.Language;
using Annlsp.Language.Syntax;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/documentSymbol: declarations with their layers or properties as children (the outline).</summary>
public sealed class DocumentSymbolHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.DocumentSymbolProvider = true;

    [LspMethod("textDocument/documentSymbol")]
    public async Task<List<DocumentSymbol>> DocumentSymbols(DocumentSymbolParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        return analysis.Root.Declarations.Where(d => !d.Name.IsMissing || d is TrainDeclarationSyntax).Select(d => Declaration(analysis, d)).ToList();
    }

    private static DocumentSymbol Declaration(DocumentAnalysis analysis, DeclarationSyntax declaration)
    {
        var text = analysis.Text;
        var symbol = new DocumentSymbol
        {
            Range = LspTranslator.ToRange(text, declaration.Span),
            SelectionRange = LspTranslator.ToRange(text, declaration.Name.IsMissing ? declaration.Keyword.Span : declaration.Name.Span),
        };
        switch (declaration)
        {
            case NetworkDeclarationSyntax network:
                symbol.Name = network.Name.Text;
                symbol.Kind = SymbolKind.Class;
                symbol.Detail = analysis.Networks.TryGetValue(network.Name.Text, out var model) ? $"network {model.Input} → {model.Output}" : "network";
                symbol.Children = Layers(analysis, network.Body);
                break;
            case BlockDeclarationSyntax block:
                symbol.Name = block.Name.Text;
                symbol.Kind = SymbolKind.Function;
                symbol.Detail = "block " + Features.SyntaxQueries.BlockSignature(block);
                symbol.Children = Layers(analysis, block.Body);
                break;
            case GanDeclarationSyntax gan:
                symbol.Name = gan.Name.Text;
                symbol.Kind = SymbolKind.Module;
                symbol.Detail = "gan";
                symbol.Children = Properties(analysis, gan.Body);
                break;
            case TrainDeclarationSyntax train:
                symbol.Name = "train " + (train.Name.IsMissing ? "?" : train.Name.Text) + (train.RunName is null ? "" : " as " + train.RunName.Name.Text);
                symbol.Kind = SymbolKind.Event;
                symbol.Detail = "training";
                symbol.Children = Properties(analysis, train.Body);
                break;
        }
        return symbol;
    }

    private static List<DocumentSymbol> Layers(DocumentAnalysis analysis, StackBodySyntax body) =>
        body.Layers.Select(item =>
        {
            var output = analysis.FactsFor(item).Select(f => f.Output).FirstOrDefault(s => s.IsKnown);
            var name = item switch
            {
                LayerSyntax layer => layer.Name.Text,
                ResidualSyntax => "residual",
                _ => "?",
            };
            return new DocumentSymbol
            {
                Name = string.IsNullOrEmpty(name) ? "?" : name,
                Detail = output is null ? null : "→ " + output,
                Kind = item is ResidualSyntax ? SymbolKind.Namespace : SymbolKind.Field,
                Range = LspTranslator.ToRange(analysis.Text, item.Span),
                SelectionRange = LspTranslator.ToRange(analysis.Text, item is LayerSyntax l ? l.Name.Span : ((ResidualSyntax)item).Keyword.Span),
                Children = item is ResidualSyntax r ? Layers(analysis, r.Body) : null,
            };
        }).ToList();

    private static List<DocumentSymbol> Properties(DocumentAnalysis analysis, PropertyBodySyntax body) =>
        body.Properties.Where(p => !p.Name.IsMissing).Select(p => new DocumentSymbol
        {
            Name = p.Name.Text,
            Detail = p.Value.ToFullString().Trim(),
            Kind = SymbolKind.Property,
            Range = LspTranslator.ToRange(analysis.Text, p.Span),
            SelectionRange = LspTranslator.ToRange(analysis.Text, p.Name.Span),
        }).ToList();
}
