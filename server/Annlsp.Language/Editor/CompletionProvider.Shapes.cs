using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>
/// The shape-aware part of completion: layers ranked by the shape that flows into the caret, and argument values
/// that fit it (class counts, reshape targets, window sizes that divide the input evenly). Shapes are read from
/// the checker's facts (computed once per analysis); only candidate values are tried here, through the same
/// <see cref="SlidingWindow"/> rule the checker uses.
/// </summary>
public static partial class CompletionProvider
{
    private const int MisfitGroup = 9;
    private const int MaxShapeValues = 8;

    /// <summary>
    /// The shapes flowing into an item of a stack (or into the caret between items): the output of the item before,
    /// else the input of the enclosing residual, else the input the next item was checked with. Several when a
    /// block body is used with several shapes; empty when unknown.
    /// </summary>
    public static IReadOnlyList<Shape> IncomingShapes(DocumentAnalysis analysis, StackBodySyntax stack, int position, StackItemSyntax? current = null)
    {
        StackItemSyntax? previous = null, next = null;
        foreach (var item in stack.Layers)
        {
            if (item == current || item.Span.Length == 0) continue;
            if (item.Span.End <= position) previous = item;
            else if (item.Span.Start >= position) { next = item; break; }
        }
        IEnumerable<Shape> shapes =
            previous is not null ? analysis.FactsFor(previous).Select(f => f.Output)
            : stack.Parent is ResidualSyntax residual ? analysis.FactsFor(residual).Select(f => f.Input)
            : next is not null ? analysis.FactsFor(next).Select(f => f.Input)
            : [];
        return shapes.Where(s => s.IsKnown).Distinct().ToList();
    }

    private static string Here(IReadOnlyList<Shape> shapes) => string.Join(" | ", shapes);

    private static string Needs(InputKind kind) => kind == InputKind.Image ? "C×H×W" : "a vector N";

    /// <summary>The group a layer sorts in after the incoming shapes: what fits first, in the order it usually comes.</summary>
    private static int RankAfter(LayerInfo layer, IReadOnlyList<Shape> incoming)
    {
        if (!incoming.All(layer.Accepts)) return MisfitGroup;
        if (incoming.All(s => s.IsVector))
            return layer.Category switch
            {
                LayerCategory.Dense => 1,
                LayerCategory.Activation => 2,
                LayerCategory.Regularization => 3,
                LayerCategory.Normalization => 4,
                _ => 5,
            };
        if (incoming.All(s => s.IsImage))
            return layer.Name == "flatten" ? 3 : layer.Category switch
            {
                LayerCategory.Convolution => 1,
                LayerCategory.Pooling => 2,
                LayerCategory.Activation => 4,
                LayerCategory.Normalization => 5,
                LayerCategory.Regularization => 6,
                _ => 7,
            };
        return CategoryOrder[layer.Category];
    }

    /// <summary>What a block's body starts with decides what it accepts (a block that starts with another block or a residual accepts anything here).</summary>
    private static LayerInfo? FirstBuiltIn(BlockDeclarationSyntax block) =>
        block.Body.Layers.FirstOrDefault() is LayerSyntax first ? LayerCatalog.Find(first.Name.Text) : null;

    /// <summary>Values that fit the argument under the caret, given the shapes flowing into its layer; empty when nothing is known.</summary>
    private static IEnumerable<CompletionEntry> ShapeValues(DocumentAnalysis analysis, ArgumentListSyntax list, string parameter)
    {
        if (list.Parent is not LayerSyntax layer || layer.Parent is not StackBodySyntax stack || LayerCatalog.Find(layer.Name.Text) is not { } info)
            return [];
        var incoming = IncomingShapes(analysis, stack, layer.Span.Start, layer);
        return (info.Name, parameter) switch
        {
            ("dense", "units") => ClassCounts(analysis, layer, stack),
            ("reshape", "shape") => ReshapeTargets(incoming),
            ("pool", "size") => WindowSizes(list, info, incoming, "size", 2),
            ("conv", "kernel") => WindowSizes(list, info, incoming, "kernel", 1),
            _ => [],
        };
    }

    /// <summary>`dense(|` ending a trained classifier: its data set's class count; ending a discriminator: one logit.</summary>
    private static IEnumerable<CompletionEntry> ClassCounts(DocumentAnalysis analysis, LayerSyntax layer, StackBodySyntax stack)
    {
        if (stack.Parent is not NetworkDeclarationSyntax network) yield break;
        // The dense makes the output when only shape-keeping layers (softmax, dropout, …) follow it.
        var after = stack.Layers.SkipWhile(l => l != layer).Skip(1);
        if (!after.All(l => l is LayerSyntax next && LayerCatalog.Find(next.Name.Text)?.KeepsShape == true)) yield break;
        var offered = new HashSet<int>();
        int order = 0;
        foreach (var train in analysis.Trains)
        {
            if (train.Kind != TrainKind.Classifier || train.Network?.Syntax != network || train.Data.Classes <= 0 || !offered.Add(train.Data.Classes)) continue;
            string owner = train.Data.Name.EndsWith('s') ? train.Data.Name + "'" : train.Data.Name + "'s";
            yield return ShapeValue(train.Data.Classes.ToString(), $"{owner} classes",
                $"units: {train.Data.Classes} — one score per class of {train.Data.Name}: {string.Join(", ", train.Data.ClassNames)}", order++);
        }
        foreach (var gan in analysis.Gans.Values)
        {
            if (gan.Discriminator?.Syntax != network || !offered.Add(1)) continue;
            yield return ShapeValue("1", "the discriminator's logit", $"units: 1 — the discriminator of '{gan.Name}' outputs one logit: real or fake", order++);
        }
    }

    /// <summary>`reshape(|`: shapes with the incoming element count — C×S×S images from the largest square down, or the flat vector.</summary>
    private static IEnumerable<CompletionEntry> ReshapeTargets(IReadOnlyList<Shape> incoming)
    {
        if (incoming.Count == 0 || incoming.Select(s => s.ElementCount).Distinct().Count() != 1) yield break;
        long n = incoming[0].ElementCount;
        int order = 0;
        if (!incoming.All(s => s.IsVector))
            yield return ShapeValue(n.ToString(), $"{n:N0} elements", $"shape: {n} — the same {n:N0} elements as a vector", order++);
        for (long s = (long)Math.Sqrt(n); s >= 2 && order < MaxShapeValues; s--)
        {
            if (n % (s * s) != 0) continue;
            var image = Shape.Image(n / (s * s), s, s);
            if (incoming.Contains(image)) continue;
            yield return ShapeValue(string.Join("x", image.Dims), $"{n:N0} elements", $"shape: {image} — the same {n:N0} elements as {image[0]} channel{(image[0] == 1 ? "" : "s")} of {s}×{s}", order++);
        }
    }

    /// <summary>
    /// `pool(max, |` and `conv(8, |`: window sizes after which no input row or column is left unread
    /// (<see cref="SlidingWindow.DroppedRows"/>), given the stride, padding and dilation already written (pool's stride defaults to its size).
    /// </summary>
    private static IEnumerable<CompletionEntry> WindowSizes(ArgumentListSyntax list, LayerInfo info, IReadOnlyList<Shape> incoming, string parameter, int smallest)
    {
        if (incoming.Count == 0 || !incoming.All(s => s.IsImage)) yield break;
        // Only literal values are read; a block parameter or `padding: same` leaves nothing to offer.
        var strideSyntax = ArgumentExpression(list, info, "stride");
        var stride = strideSyntax is null ? null : LiteralPair(strideSyntax);
        var padding = LiteralOr(ArgumentExpression(list, info, "padding"), new Pair(0, 0));
        var dilation = LiteralOr(ArgumentExpression(list, info, "dilation"), new Pair(1, 1));
        if (padding is not { } p || dilation is not { } d || (strideSyntax is not null && stride is null)) yield break;
        long largest = incoming.Min(s => Math.Min(s[1], s[2]));
        int order = 0;
        for (int k = smallest; k <= Math.Min(largest + 2L * Math.Min(p.H, p.W), 7); k++)
        {
            var s = stride ?? (info.Name == "pool" ? new Pair(k, k) : new Pair(1, 1));
            if (info.Name == "pool" && (p.H * 2 > k || p.W * 2 > k)) continue;    // ANN3014
            bool fits = incoming.All(shape =>
                SlidingWindow.Output(shape[1], k, s.H, p.H, d.H) >= 1 && SlidingWindow.Output(shape[2], k, s.W, p.W, d.W) >= 1
                && SlidingWindow.DroppedRows(shape[1], k, s.H, p.H, d.H) == 0 && SlidingWindow.DroppedRows(shape[2], k, s.W, p.W, d.W) == 0);
            if (!fits) continue;
            string outputs = string.Join(" | ", incoming.Select(shape =>
                $"{SlidingWindow.Output(shape[1], k, s.H, p.H, d.H)}×{SlidingWindow.Output(shape[2], k, s.W, p.W, d.W)}").Distinct());
            yield return ShapeValue(k.ToString(), $"→ {outputs}",
                $"{parameter}: {k} — {Here(incoming)} becomes {outputs} (stride {s}{(p.H == 0 && p.W == 0 ? "" : $", padding {p}")}) and no row or column is left unread", order++);
        }
    }

    /// <summary>The expression given for a parameter, by name or in its positional slot.</summary>
    private static ExpressionSyntax? ArgumentExpression(ArgumentListSyntax list, LayerInfo info, string name)
    {
        var args = list.Arguments;
        foreach (var a in args)
            if (a.Name?.Text == name) return a.Value;
        int index = Array.FindIndex(info.Parameters, p => p.Name == name);
        if (index < 0 || index >= args.Count) return null;
        for (int i = 0; i <= index; i++) if (args[i].Name is not null) return null;
        return args[index].Value is MissingExpressionSyntax ? null : args[index].Value;
    }

    private static Pair? LiteralOr(ExpressionSyntax? expression, Pair absent) => expression is null ? absent : LiteralPair(expression);

    /// <summary>An int or HxW written as a literal; null for anything else.</summary>
    private static Pair? LiteralPair(ExpressionSyntax? expression) => expression is LiteralExpressionSyntax { Token: var token } ? token.Value switch
    {
        NumberValue { Integer: { } n } when n is >= 0 and <= int.MaxValue => new Pair((int)n, (int)n),
        long[] { Length: 2 } dims when dims.All(x => x is >= 0 and <= int.MaxValue) => new Pair((int)dims[0], (int)dims[1]),
        _ => null,
    } : null;

    private static CompletionEntry ShapeValue(string label, string description, string detail, int order) => new()
    {
        Label = label,
        Description = description,
        Kind = CompletionEntryKind.Value,
        Detail = detail,
        SortText = Sort(0, $"{order:D2}"),
        Preselect = order == 0,
    };
}
