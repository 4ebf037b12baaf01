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
            MergeSyntax merge when merge.Name == token => Merge(analysis, merge),
            MergeArgumentSyntax { Source.Text: "time" } argument when argument.Source == token => Time(analysis, argument),
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
        else if (item is ResidualSyntax residual)
        {
            sb.AppendLine(residual.Shortcut is null ? "```ann\nresidual { … }\n```" : "```ann\nresidual(shortcut: …) { … }\n```");
            if (facts.Count > 0) sb.AppendLine(Shapes(facts) + $"\n\n**{SummaryTable.Number(facts[0].Parameters)}** params · **{SummaryTable.Number(facts[0].MultiplyAdds)}** mult-adds");
            sb.AppendLine(residual.Shortcut is null ? "\n---\n\noutput = input + layers(input)" : "\n---\n\noutput = layers(input) + shortcut(input): the shortcut ends in the layers' shape");
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

    /// <summary>What one logit of a conditional gan's discriminator judges: its receptive field in the input.</summary>
    private static string PatchText(GanModel gan)
    {
        var d = gan.Discriminator!;
        var rf = gan.DiscriminatorPatch!;
        long h = d.Input[1], w = d.Input[2];
        string whole = rf.Size >= Math.Max(h, w) ? $" — all of the {h}×{w} image" : "";
        return d.Output.IsImage
            ? $"each of the {d.Output[1]}×{d.Output[2]} patch logits of **{d.Name}** sees a {rf.Size}×{rf.Size} patch of its {h}×{w} input{whole}, patches {rf.Stride} px apart"
            : $"the one logit of **{d.Name}** sees a {rf.Size}×{rf.Size} patch of its {h}×{w} input{whole}";
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
                    ? SummaryTable.ToMarkdown(network) + string.Concat(analysis.Gans.Values
                        .Where(g => g.Discriminator == network && g.DiscriminatorPatch is not null).Select(g => "\n\n" + PatchText(g)))
                    : $"```ann\nnetwork {symbol.Name}\n```\n(shapes unknown: the network has errors)";
            case SymbolKind.Block:
                return symbol.Declaration is BlockDeclarationSyntax block ? $"```ann\nblock {SyntaxQueries.BlockSignature(block)}\n```\nA reusable stack, used like a layer." : null;
            case SymbolKind.Gan:
                if (!analysis.Gans.TryGetValue(symbol.Name, out var gan)) return $"```ann\ngan {symbol.Name}\n```";
                return $"```ann\ngan {symbol.Name}\n```\ngenerator **{gan.Generator?.Name ?? "?"}** `{gan.Generator?.Input} → {gan.Generator?.Output}` · discriminator **{gan.Discriminator?.Name ?? "?"}** `{gan.Discriminator?.Input} → {gan.Discriminator?.Output}`"
                    + (gan.Conditional ? $"\n\nimage to image (pix2pix): loss_G = BCE + {ParameterInfo.FormatNumber(gan.L1Weight)}·L1" : "")
                    + (gan.DiscriminatorPatch is not null ? "\n\n" + PatchText(gan) : "");
            case SymbolKind.Diffusion:
                return analysis.Diffusions.TryGetValue(symbol.Name, out var diffusion)
                    ? DiffusionSummary.ToMarkdown(diffusion)
                    : $"```ann\ndiffusion {symbol.Name}\n```";
            case SymbolKind.Parameter:
                return $"```ann\n{symbol.Name}\n```\nparameter of block **{symbol.OwnerBlock?.Name.Text}**";
            case SymbolKind.Tensor:
                return Tensor(analysis, symbol);
            default:
                return null;
        }
    }

    // ── Graphs ───────────────────────────────────────────────────────────────────

    private static string Line(DocumentAnalysis analysis, int offset) => $"line {analysis.Text.GetPosition(offset).Line + 1}";

    private static string ShapeList(IEnumerable<Shape> shapes)
    {
        var known = shapes.Where(s => s.IsKnown).Distinct().ToList();
        return known.Count == 0 ? "?" : string.Join(" · ", known.Select(s => $"`{s}`"));
    }

    /// <summary>A tensor name: its shapes and the line that names it, and how many places read it.</summary>
    private static string Tensor(DocumentAnalysis analysis, Symbol symbol)
    {
        var sb = new StringBuilder($"```ann\n{symbol.Name}\n```\n");
        var item = symbol.Declaration.Parent as StackItemSyntax;
        var shapes = item is null ? [] : analysis.FactsFor(item).Select(f => f.Output).ToList();
        sb.Append($"tensor {ShapeList(shapes)}, named on {Line(analysis, symbol.NameSpan.Start)}");
        if (item is not null) sb.Append($" by `{Describe(item)}`");
        int uses = analysis.ReferencesTo(symbol).Count(r => !r.IsDeclaration);
        sb.Append(uses switch { 0 => " · not used yet", 1 => " · used once", _ => $" · used {uses} times" });
        if (symbol.OwnerBlock is { } block) sb.Append($"\n\nin block **{block.Name.Text}** (its shape per use of the block)");
        return sb.ToString();
    }

    /// <summary>`time`: the diffusion step's embedding, a vector, the second input of a denoiser.</summary>
    private static string Time(DocumentAnalysis analysis, MergeArgumentSyntax argument)
    {
        var network = argument.Ancestors().OfType<NetworkDeclarationSyntax>().FirstOrDefault();
        int? length = network is not null && analysis.Networks.TryGetValue(network.Name.Text, out var model) ? model.TimeEmbedding : null;
        return $"```ann\ntime\n```\nthe diffusion step's sinusoidal embedding{(length is int n ? $", `{n}`" : "")}: the denoiser's second input (a built-in name, visible in blocks too)";
    }

    /// <summary>
    /// A merge: each input — the running tensor and every argument after its chain — with its shape and where it
    /// comes from, then the output and the formula.
    /// </summary>
    private static string Merge(DocumentAnalysis analysis, MergeSyntax merge)
    {
        var facts = analysis.FactsFor(merge);
        string kind = merge.Name.Text;
        var sb = new StringBuilder(kind == "concat"
            ? "```ann\nconcat(t1, t2, …)\n```\nchannels add up; the height and width must be equal\n\n"
            : "```ann\nadd(t1, t2, …)\n```\nshapes must be equal, or a vector of C is added to every pixel of C×H×W\n\n");
        sb.AppendLine("| input | shape | from |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine($"| running tensor | {ShapeList(facts.Select(f => f.Input))} | {RunningOrigin(analysis, merge)} |");
        for (int i = 0; i < merge.Arguments.Count; i++)
        {
            var argument = merge.Arguments[i];
            var shapes = facts.Where(f => f.MergeInputs.Count == merge.Arguments.Count).Select(f => f.MergeInputs[i]).ToList();
            if (shapes.Count == 0 && argument.Chain is { Layers.Count: > 0 } chain) shapes = analysis.FactsFor(chain.Layers[^1]).Select(f => f.Output).ToList();
            string text = argument.Chain is null ? argument.Source.Text : $"{argument.Source.Text} {string.Join(" ", argument.Chain.Items.Select(e => e.ToFullString().Trim()))}";
            sb.AppendLine($"| `{text}` | {ShapeList(shapes)} | {SourceOrigin(analysis, argument)} |");
        }
        sb.AppendLine($"| **output** | {ShapeList(facts.Select(f => f.Output))} | |");
        var formulas = facts.Select(f => f.Formula).OfType<string>().Distinct().ToList();
        if (formulas.Count > 0) sb.AppendLine($"\n`{string.Join("` · `", formulas)}`");
        if (facts.Count > 0) sb.AppendLine($"\n**{SummaryTable.Number(facts[0].Parameters)}** params · **{SummaryTable.Number(facts[0].MultiplyAdds)}** mult-adds (its chains)");
        if (facts.Count > 1) sb.AppendLine($"\n(used {facts.Count} times)");
        return sb.ToString().TrimEnd();
    }

    /// <summary>Where the running tensor of a merge comes from: the item before it, or the input of its body or chain.</summary>
    private static string RunningOrigin(DocumentAnalysis analysis, MergeSyntax merge)
    {
        IReadOnlyList<StackItemSyntax> siblings = merge.Parent switch
        {
            StackBodySyntax body => body.Layers,
            ChainSyntax chain => chain.Layers,
            _ => [],
        };
        var previous = siblings.TakeWhile(l => l != merge).LastOrDefault(l => l.Span.Length > 0);
        if (previous is not null) return $"{Line(analysis, previous.Span.Start)} `{Describe(previous)}`";
        return merge.Parent switch
        {
            StackBodySyntax { Parent: ResidualSyntax r } => $"the input of the residual on {Line(analysis, r.Span.Start)}",
            StackBodySyntax { Parent: BlockDeclarationSyntax b } => $"the input of block {b.Name.Text}",
            ChainSyntax { Parent: MergeArgumentSyntax a } => $"`{a.Source.Text}`",
            ChainSyntax { Parent: ShortcutSyntax { Parent: ResidualSyntax r } } => $"the input of the residual on {Line(analysis, r.Span.Start)}",
            _ => "the network's input",
        };
    }

    /// <summary>Where a merge argument's tensor is named: the line of its `as`, a block parameter, or `time`.</summary>
    private static string SourceOrigin(DocumentAnalysis analysis, MergeArgumentSyntax argument)
    {
        if (argument.Source.IsMissing) return "";
        var reference = analysis.ReferenceAt(argument.Source.Span.Start);
        return reference?.Symbol switch
        {
            { Kind: SymbolKind.Tensor } t => $"{Line(analysis, t.NameSpan.Start)} (`as {t.Name}`)",
            { Kind: SymbolKind.Parameter } p => $"parameter of block {p.OwnerBlock?.Name.Text}",
            _ when argument.Source.Text == "time" => "the diffusion step",
            _ => "unknown name",
        };
    }

    /// <summary>A stack item in a few words: `conv(8, 4, 2)`, `Up(64, e1)`, `residual`, `concat(e1)`.</summary>
    private static string Describe(StackItemSyntax item) => item switch
    {
        LayerSyntax layer => layer.Name.Text + (layer.Arguments is null ? "" : layer.Arguments.ToFullString().Trim()),
        ResidualSyntax => "residual",
        MergeSyntax merge => $"{merge.Name.Text}({string.Join(", ", merge.Arguments.Select(a => a.Source.Text))})",
        _ => item.Kind.ToString(),
    };
}
