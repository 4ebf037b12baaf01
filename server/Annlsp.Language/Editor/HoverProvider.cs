using System.Text;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>Hover: layers (shapes, params, mult-adds, formula), networks (summary table), blocks, data sets, optimizers, properties, arguments.</summary>
public static class HoverProvider
{
    public static HoverContent? Describe(DocumentAnalysis analysis, int offset)
    {
        var token = SyntaxQueries.IdentifierAt(analysis, offset);
        if (token is null) return null;
        string? markdown = token.Parent switch
        {
            LayerSyntax layer when layer.Name == token => Layer(analysis, layer),
            ArgumentSyntax { Name: { } name } argument when name == token => Argument(analysis, argument),
            PropertySyntax property when property.Name == token => Property(property),
            NameExpressionSyntax { Parent: PropertySyntax { Name.Text: "data" } } => DataSet(token.Text),
            CallExpressionSyntax call when call.Name == token => DataSet(token.Text) ?? Optimizer(token.Text),
            ResidualSyntax residual => Layer(analysis, residual),
            _ => null,
        };
        markdown ??= Symbol(analysis, offset);
        if (markdown is null) return null;
        // Problems reported on this very token come first: the hover is where the eye already is.
        var problems = analysis.Diagnostics.Where(d => d.Span.Start <= token.Span.Start && token.Span.End <= Math.Max(d.Span.End, d.Span.Start + 1) && d.IsError).Take(3).ToList();
        if (problems.Count > 0)
            markdown = string.Join("\n\n", problems.Select(d => $"⚠ **{d.Code}** {d.Message}")) + "\n\n---\n\n" + markdown;
        return new HoverContent(markdown, token.Span);
    }

    private static string Shapes(IReadOnlyList<LayerFacts> facts)
    {
        var distinct = facts.Select(f => $"{f.Input} → {f.Output}").Distinct().ToList();
        return string.Join(" · ", distinct.Select(d => $"`{d}`"));
    }

    private static string? Layer(DocumentAnalysis analysis, StackItemSyntax item)
    {
        var facts = analysis.FactsFor(item);
        var sb = new StringBuilder();
        if (item is LayerSyntax layer)
        {
            var info = LayerCatalog.Find(layer.Name.Text);
            var blocks = SyntaxQueries.Blocks(analysis);
            if (info is not null) sb.AppendLine($"```ann\n{info.Signature}\n```");
            else if (blocks.TryGetValue(layer.Name.Text, out var block)) sb.AppendLine($"```ann\nblock {SyntaxQueries.BlockSignature(block)}\n```");
            else return null;
            if (facts.Count > 0)
            {
                var f = facts[0];
                sb.AppendLine($"{Shapes(facts)}");
                sb.AppendLine();
                sb.AppendLine($"**{SummaryTable.Number(f.Parameters)}** params · **{SummaryTable.Number(f.MultiplyAdds)}** mult-adds");
                if (f.Formula is not null) sb.AppendLine($"\n`{f.Formula}`");
                if (facts.Count > 1) sb.AppendLine($"\n(used {facts.Count} times)");
            }
            if (info is not null)
            {
                sb.AppendLine("\n---\n");
                sb.AppendLine(info.Documentation);
                sb.AppendLine($"\nShape rule: `{info.ShapeRule}` · PyTorch: `{info.PyTorch}`");
            }
        }
        else if (item is ResidualSyntax)
        {
            sb.AppendLine("```ann\nresidual { … }\n```");
            if (facts.Count > 0) sb.AppendLine(Shapes(facts) + $"\n\n**{SummaryTable.Number(facts[0].Parameters)}** params · **{SummaryTable.Number(facts[0].MultiplyAdds)}** mult-adds");
            sb.AppendLine("\n---\n\noutput = input + layers(input)");
        }
        return sb.ToString().TrimEnd();
    }

    private static string? Argument(DocumentAnalysis analysis, ArgumentSyntax argument)
    {
        if (argument.Parent is not ArgumentListSyntax list) return null;
        var signature = SyntaxQueries.SignatureFor(analysis, list);
        var p = signature?.Parameters.FirstOrDefault(x => x.Name == argument.Name!.Text);
        return p is { Name: not null } found ? $"```ann\n{found.Label}\n```\n{found.Doc}" : null;
    }

    private static string? Property(PropertySyntax property)
    {
        var owner = property.Parent?.Parent;
        var catalogue = owner is DiffusionDeclarationSyntax ? TrainingCatalog.DiffusionProperties
            : owner is GanDeclarationSyntax ? TrainingCatalog.GanProperties : TrainingCatalog.TrainProperties;
        var info = catalogue.FirstOrDefault(p => p.Name == property.Name.Text);
        return info is null ? null : $"```ann\n{info.Name}: {info.Values}\n```\n{info.Documentation}";
    }

    public static string? DataSet(string name)
    {
        var d = TrainingCatalog.FindDataSet(name);
        if (d is null) return null;
        var sb = new StringBuilder($"```ann\n{d.Signature}\n```\n{d.Documentation}\n");
        if (d.FixedShape is not null) sb.AppendLine($"\nShape: `{d.FixedShape}` · {d.Classes} classes: {string.Join(", ", d.ClassNames)}");
        return sb.ToString().TrimEnd();
    }

    private static string? Optimizer(string name)
    {
        var o = TrainingCatalog.FindOptimizer(name);
        return o is null ? null : $"```ann\n{o.Signature}\n```\n{o.Documentation}";
    }

    private static string? Symbol(DocumentAnalysis analysis, int offset)
    {
        var reference = analysis.ReferenceAt(offset);
        if (reference is null) return null;
        var symbol = reference.Symbol;
        switch (symbol.Kind)
        {
            case SymbolKind.Network:
                return analysis.Networks.TryGetValue(symbol.Name, out var network)
                    ? SummaryTable.ToMarkdown(network)
                    : $"```ann\nnetwork {symbol.Name}\n```\n(shapes unknown: the network has errors)";
            case SymbolKind.Block:
                return symbol.Declaration is BlockDeclarationSyntax block ? $"```ann\nblock {SyntaxQueries.BlockSignature(block)}\n```\nA reusable stack, used like a layer." : null;
            case SymbolKind.Gan:
                if (!analysis.Gans.TryGetValue(symbol.Name, out var gan)) return $"```ann\ngan {symbol.Name}\n```";
                return $"```ann\ngan {symbol.Name}\n```\ngenerator **{gan.Generator?.Name ?? "?"}** `{gan.Generator?.Input} → {gan.Generator?.Output}` · discriminator **{gan.Discriminator?.Name ?? "?"}** `{gan.Discriminator?.Input} → {gan.Discriminator?.Output}`";
            case SymbolKind.Diffusion:
                return analysis.Diffusions.TryGetValue(symbol.Name, out var diffusion)
                    ? DiffusionSummary.ToMarkdown(diffusion)
                    : $"```ann\ndiffusion {symbol.Name}\n```";
            case SymbolKind.Parameter:
                return $"```ann\n{symbol.Name}\n```\nparameter of block **{symbol.OwnerBlock?.Name.Text}**";
            default:
                return null;
        }
    }
}
