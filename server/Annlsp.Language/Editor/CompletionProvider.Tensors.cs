using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>
/// Completion of tensor names inside `concat(` / `add(`: the names in scope at the merge (its body's earlier
/// `as` names, the enclosing bodies', a block's parameters bound to tensors, and `time` where it is visible),
/// each with its shape, those that fit the running tensor first.
/// </summary>
public static partial class CompletionProvider
{
    /// <summary>A tensor the caret's merge can read: its name, its shapes (one per use of the body; none when unknown), where it is defined.</summary>
    private sealed record VisibleTensor(string Name, IReadOnlyList<Shape> Shapes, string Origin, int Distance);

    /// <summary>The merge whose argument slot the caret is in: right after its `(` or one of its own commas.</summary>
    private static MergeSyntax? MergeSlotAt(StackBodySyntax stack, SyntaxToken? before, int offset)
    {
        if (before is not { Kind: SyntaxKind.OpenParen or SyntaxKind.Comma, Parent: MergeSyntax merge }) return null;
        return SyntaxQueries.Inside(merge.OpenParen, merge.CloseParen, offset) && merge.Ancestors().Contains(stack) ? merge : null;
    }

    private static List<CompletionEntry> TensorNames(DocumentAnalysis analysis, DeclarationSyntax declaration, StackBodySyntax stack, MergeSyntax merge)
    {
        var running = analysis.FactsFor(merge).Select(f => f.Input).Where(s => s.IsKnown).Distinct().ToList();
        if (running.Count == 0) running = IncomingShapes(analysis, stack, merge.Span.Start, merge).ToList();
        bool concat = merge.Name.Text == "concat";
        var items = new List<CompletionEntry>();
        foreach (var tensor in VisibleTensors(analysis, declaration, stack, merge))
        {
            bool known = tensor.Shapes.Count > 0 && running.Count > 0;
            bool fits = known && tensor.Shapes.All(t => running.All(r => concat ? ConcatFits(r, t) : AddFits(r, t)));
            string shapes = tensor.Shapes.Count == 0 ? "shape unknown" : string.Join(" | ", tensor.Shapes);
            string? misfit = known && !fits ? concat ? $"needs {HeightWidth(running)} for concat" : $"needs {Here(running)} or a vector of its channels for add" : null;
            items.Add(new CompletionEntry
            {
                Label = tensor.Name,
                Kind = CompletionEntryKind.Variable,
                Detail = $"{shapes} · {tensor.Origin}",
                Description = misfit is null ? shapes : $"{shapes}; {misfit}",
                Documentation = running.Count > 0 ? $"`{tensor.Name}`: {shapes}, {tensor.Origin}.\n\nThe running tensor here: {Here(running)}." : null,
                // what fits first, the nearest (latest defined) first within a group
                SortText = Sort(fits ? 0 : known ? MisfitGroup : 1, tensor.Distance.ToString("D4")),
            });
        }
        return items;
    }

    /// <summary>concat: the same height and width (or both vectors).</summary>
    private static bool ConcatFits(Shape running, Shape other)
    {
        if (running.Rank != other.Rank) return false;
        for (int d = 1; d < running.Rank; d++) if (running[d] != other[d]) return false;
        return true;
    }

    /// <summary>add: the same shape, or a vector of C onto C×H×W (or the reverse).</summary>
    private static bool AddFits(Shape running, Shape other) =>
        running.Equals(other) || (running.Rank != other.Rank && (running.Rank == 1 || other.Rank == 1) && running[0] == other[0]);

    private static string HeightWidth(IReadOnlyList<Shape> running) =>
        string.Join(" | ", running.Select(r => r.Rank == 3 ? $"H×W {r[1]}×{r[2]}" : $"a {(r.IsVector ? "vector" : "tensor")} like {r}"));

    /// <summary>
    /// The names the merge can see, nearest first: `as` names of earlier items of its body and of every enclosing
    /// body (a residual's body sees its surroundings); in a block, its parameters that its uses bind to tensors;
    /// `time` in a denoiser and in blocks.
    /// </summary>
    private static List<VisibleTensor> VisibleTensors(DocumentAnalysis analysis, DeclarationSyntax declaration, StackBodySyntax stack, MergeSyntax merge)
    {
        var found = new List<VisibleTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, IReadOnlyList<Shape> shapes, string origin)
        {
            if (seen.Add(name)) found.Add(new VisibleTensor(name, shapes, origin, found.Count));
        }

        SyntaxNode inner = merge;
        for (var body = stack; body is not null; body = (body.Parent as ResidualSyntax)?.Parent as StackBodySyntax)
        {
            // the item of this body the caret is in; only names before it are defined
            var here = body.Layers.FirstOrDefault(l => inner.Ancestors().Prepend(inner).Contains(l));
            foreach (var item in body.Layers.TakeWhile(l => l != here).Reverse())
            {
                if (item.TensorName is not { Name: { IsMissing: false } name }) continue;
                var shapes = analysis.FactsFor(item).Select(f => f.Output).Where(s => s.IsKnown).Distinct().ToList();
                Add(name.Text, shapes, $"line {analysis.Text.GetPosition(name.Position).Line + 1} (`as {name.Text}`)");
            }
            inner = body;
        }
        if (declaration is BlockDeclarationSyntax block)
            foreach (var (parameter, shapes) in TensorParameters(analysis, block))
                Add(parameter, shapes, $"parameter of block {block.Name.Text}");
        bool denoiser = declaration is NetworkDeclarationSyntax network && !network.Name.IsMissing
            && analysis.Networks.TryGetValue(network.Name.Text, out var model) && model.TimeEmbedding is not null;
        if (declaration is BlockDeclarationSyntax || denoiser)
        {
            var time = denoiser ? [Shape.Vector(analysis.Networks[((NetworkDeclarationSyntax)declaration).Name.Text].TimeEmbedding!.Value)] : Array.Empty<Shape>();
            Add("time", time, "the diffusion step's embedding");
        }
        return found;
    }

    /// <summary>
    /// A block's parameters that its uses bind to named tensors, with the shapes they are bound to; a parameter no
    /// use binds yet is offered without a shape, one that a use binds to anything else is not a tensor.
    /// </summary>
    private static IEnumerable<(string Name, IReadOnlyList<Shape> Shapes)> TensorParameters(DocumentAnalysis analysis, BlockDeclarationSyntax block)
    {
        var parameters = block.Parameters?.Parameters.Where(p => !p.IsMissing).Select(p => p.Text).ToList() ?? [];
        if (parameters.Count == 0) yield break;
        var uses = analysis.Root.Declarations.SelectMany(d => d.DescendantNodes()).OfType<LayerSyntax>()
            .Where(l => l.Name.Text == block.Name.Text && l.Arguments is not null).ToList();
        for (int i = 0; i < parameters.Count; i++)
        {
            var shapes = new List<Shape>();
            bool tensor = true;
            foreach (var use in uses)
            {
                var args = use.Arguments!.Arguments;
                var argument = args.FirstOrDefault(a => a.Name?.Text == parameters[i]) ?? (i < args.Count && args[i].Name is null ? args[i] : null);
                if (argument is null) continue;
                if (argument.Value is NameExpressionSyntax name && analysis.ReferenceAt(name.Name.Span.Start) is { Symbol: { Kind: SymbolKind.Tensor } symbol })
                    shapes.AddRange(TensorShapes(analysis, symbol));
                else tensor = false;
            }
            if (tensor) yield return (parameters[i], shapes.Distinct().ToList());
        }
    }

    /// <summary>
    /// After `residual(shortcut:` or an arrow of a shortcut's or merge argument's chain: the shapes that arrive
    /// there (the residual's input, the argument's tensor, the chain's item before); null elsewhere.
    /// </summary>
    private static IReadOnlyList<Shape>? ChainIncoming(DocumentAnalysis analysis, SyntaxToken? before)
    {
        IEnumerable<Shape> shapes;
        switch (before)
        {
            case { Kind: SyntaxKind.Colon, Parent: ShortcutSyntax { Parent: ResidualSyntax residual } }:
                shapes = analysis.FactsFor(residual).Select(f => f.Input);
                break;
            case { Kind: SyntaxKind.Arrow, Parent: ChainSyntax chain }:
                var previous = chain.Layers.LastOrDefault(l => l.Span.End <= before.Span.Start && l.Span.Length > 0);
                if (previous is not null) shapes = analysis.FactsFor(previous).Select(f => f.Output);
                else if (chain.Parent is MergeArgumentSyntax argument)
                    shapes = analysis.ReferenceAt(argument.Source.Span.Start) is { Symbol: { Kind: SymbolKind.Tensor } symbol } ? TensorShapes(analysis, symbol) : [];
                else if (chain.Parent is ShortcutSyntax { Parent: ResidualSyntax owner }) shapes = analysis.FactsFor(owner).Select(f => f.Input);
                else return null;
                break;
            default:
                return null;
        }
        return shapes.Where(s => s.IsKnown).Distinct().ToList();
    }

    /// <summary>The shapes a tensor name stands for: its item's output in each use.</summary>
    private static IEnumerable<Shape> TensorShapes(DocumentAnalysis analysis, Symbol tensor) =>
        tensor.Declaration.Parent is StackItemSyntax item ? analysis.FactsFor(item).Select(f => f.Output).Where(s => s.IsKnown) : [];
}
