namespace Annlsp.Language.Syntax;

// Typed nodes. Each keeps its parts as properties; its slots give the same parts in text order,
// so the tree prints back to the exact input.

public sealed class CompilationUnitSyntax(IReadOnlyList<SyntaxElement> members, SyntaxToken endOfFile) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = Wrap(null, members, endOfFile);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.CompilationUnit;
    /// <summary>Declarations and skipped-token nodes, in order.</summary>
    public IReadOnlyList<SyntaxElement> Members => new ArraySegment<SyntaxElement>(_slots, 0, _slots.Length - 1);
    private DeclarationSyntax[]? _declarations; public IReadOnlyList<DeclarationSyntax> Declarations => _declarations ??= Collect(_slots);

    // Typed loops rather than OfType<T>: in shared generic code every element test is a slow cast, and
    // the checker reads these lists of every node of every document.
    private static DeclarationSyntax[] Collect(SyntaxElement[] items)
    {
        int n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is DeclarationSyntax) n++;
        var result = new DeclarationSyntax[n];
        n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is DeclarationSyntax d) result[n++] = d;
        return result;
    }
    public SyntaxToken EndOfFile { get; } = endOfFile;
}

public abstract class DeclarationSyntax : SyntaxNode
{
    public abstract SyntaxToken Keyword { get; }
    public abstract SyntaxToken Name { get; }
}

/// <summary>`network Name { stack }`</summary>
public sealed class NetworkDeclarationSyntax(SyntaxToken keyword, SyntaxToken name, StackBodySyntax body) : DeclarationSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Name, 2 => Body, _ => null };
    public override SyntaxKind Kind => SyntaxKind.NetworkDeclaration;
    public override SyntaxToken Keyword { get; } = keyword;
    public override SyntaxToken Name { get; } = name;
    public StackBodySyntax Body { get; } = body;
}

/// <summary>`block Name(p1, p2) { stack }`</summary>
public sealed class BlockDeclarationSyntax(SyntaxToken keyword, SyntaxToken name, ParameterListSyntax? parameters, StackBodySyntax body) : DeclarationSyntax
{
    internal override int SlotCount => 4;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Name, 2 => Parameters, 3 => Body, _ => null };
    public override SyntaxKind Kind => SyntaxKind.BlockDeclaration;
    public override SyntaxToken Keyword { get; } = keyword;
    public override SyntaxToken Name { get; } = name;
    public ParameterListSyntax? Parameters { get; } = parameters;
    public StackBodySyntax Body { get; } = body;
}

public sealed class ParameterListSyntax(SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = Wrap(open, items, close);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.ParameterList;
    public SyntaxToken OpenParen { get; } = open;
    /// <summary>Parameter name tokens, commas and skipped tokens.</summary>
    public IReadOnlyList<SyntaxElement> Items => new ArraySegment<SyntaxElement>(_slots, 1, _slots.Length - 2);
    public IEnumerable<SyntaxToken> Parameters => Items.OfType<SyntaxToken>().Where(t => t.Kind == SyntaxKind.Identifier);
    public SyntaxToken CloseParen { get; } = close;
}

/// <summary>`gan Name { generator: G  discriminator: D }`</summary>
public sealed class GanDeclarationSyntax(SyntaxToken keyword, SyntaxToken name, PropertyBodySyntax body) : DeclarationSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Name, 2 => Body, _ => null };
    public override SyntaxKind Kind => SyntaxKind.GanDeclaration;
    public override SyntaxToken Keyword { get; } = keyword;
    public override SyntaxToken Name { get; } = name;
    public PropertyBodySyntax Body { get; } = body;
}

/// <summary>`diffusion Name { denoiser: N  steps: T  schedule: linear  sampler: ddim(50) … }`</summary>
public sealed class DiffusionDeclarationSyntax(SyntaxToken keyword, SyntaxToken name, PropertyBodySyntax body) : DeclarationSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Name, 2 => Body, _ => null };
    public override SyntaxKind Kind => SyntaxKind.DiffusionDeclaration;
    public override SyntaxToken Keyword { get; } = keyword;
    public override SyntaxToken Name { get; } = name;
    public PropertyBodySyntax Body { get; } = body;
}

/// <summary>`train Target [as name] { property: value … }`. <see cref="Name"/> is the target.</summary>
public sealed class TrainDeclarationSyntax(SyntaxToken keyword, SyntaxToken target, TrainNameSyntax? runName, PropertyBodySyntax body) : DeclarationSyntax
{
    internal override int SlotCount => 4;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Name, 2 => RunName, 3 => Body, _ => null };
    public override SyntaxKind Kind => SyntaxKind.TrainDeclaration;
    public override SyntaxToken Keyword { get; } = keyword;
    public override SyntaxToken Name { get; } = target;
    public TrainNameSyntax? RunName { get; } = runName;
    public PropertyBodySyntax Body { get; } = body;
}

/// <summary>`as quick` (`as` is a contextual word, not a keyword).</summary>
public sealed class TrainNameSyntax(SyntaxToken asWord, SyntaxToken name) : SyntaxNode
{
    internal override int SlotCount => 2;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => AsWord, 1 => Name, _ => null };
    public override SyntaxKind Kind => SyntaxKind.TrainName;
    public SyntaxToken AsWord { get; } = asWord;
    public SyntaxToken Name { get; } = name;
}

/// <summary>`{ layer -> layer residual { … } }`</summary>
public sealed class StackBodySyntax(SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = Wrap(open, items, close);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.StackBody;
    public SyntaxToken OpenBrace { get; } = open;
    /// <summary>The checker's note of whether an item names its output (`as`); null until it looks.</summary>
    internal bool? DeclaresNames;
    /// <summary>Layers, residuals, arrow tokens and skipped tokens, in order.</summary>
    public IReadOnlyList<SyntaxElement> Items => new ArraySegment<SyntaxElement>(_slots, 1, _slots.Length - 2);
    private StackItemSyntax[]? _layers; public IReadOnlyList<StackItemSyntax> Layers => _layers ??= Collect(_slots);

    private static StackItemSyntax[] Collect(SyntaxElement[] items)
    {
        int n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is StackItemSyntax) n++;
        if (n == 0) return [];
        var result = new StackItemSyntax[n];
        n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is StackItemSyntax d) result[n++] = d;
        return result;
    }
    public SyntaxToken CloseBrace { get; } = close;
}

public abstract class StackItemSyntax : SyntaxNode
{
    /// <summary>The `as NAME` that names this item's output, or null.</summary>
    public abstract TensorNameSyntax? TensorName { get; }

    /// <summary>
    /// What the checker learned about this item, one entry per distinct use. Kept on the node rather than
    /// in a side table: a table of every layer of a big document is a large-object-heap array per analysis.
    /// A tree is checked exactly once (<see cref="DocumentAnalysis.Analyze"/> parses its own).
    /// </summary>
    internal object? Facts; // see Checker.Record
}

/// <summary>`conv(6, kernel: 5)` or `relu` or `ConvBlock(64)`, optionally `as NAME`.</summary>
public sealed class LayerSyntax(SyntaxToken name, ArgumentListSyntax? arguments, TensorNameSyntax? tensorName = null) : StackItemSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Name, 1 => Arguments, 2 => TensorName, _ => null };
    public override SyntaxKind Kind => SyntaxKind.Layer;
    public SyntaxToken Name { get; } = name;
    public ArgumentListSyntax? Arguments { get; } = arguments;
    public override TensorNameSyntax? TensorName { get; } = tensorName;
}

/// <summary>`residual { stack }` or `residual(shortcut: chain) { stack }`, optionally `as NAME`.</summary>
public sealed class ResidualSyntax(SyntaxToken keyword, ShortcutSyntax? shortcut, StackBodySyntax body, TensorNameSyntax? tensorName = null) : StackItemSyntax
{
    internal override int SlotCount => 4;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Keyword, 1 => Shortcut, 2 => Body, 3 => TensorName, _ => null };
    public override SyntaxKind Kind => SyntaxKind.Residual;
    public SyntaxToken Keyword { get; } = keyword;
    /// <summary>`(shortcut: …)`; null for the identity shortcut.</summary>
    public ShortcutSyntax? Shortcut { get; } = shortcut;
    public StackBodySyntax Body { get; } = body;
    public override TensorNameSyntax? TensorName { get; } = tensorName;
}

/// <summary>`(shortcut: conv(c, kernel: 1, stride: 2) -> batchnorm)` after `residual`. <see cref="Chain"/> is null when no layer was written.</summary>
public sealed class ShortcutSyntax(SyntaxToken open, SyntaxToken label, SyntaxToken colon, ChainSyntax? chain, SkippedTokensSyntax? skipped, SyntaxToken close) : SyntaxNode
{
    internal override int SlotCount => 6;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => OpenParen, 1 => Label, 2 => Colon, 3 => Chain, 4 => Skipped, 5 => CloseParen, _ => null };
    public override SyntaxKind Kind => SyntaxKind.Shortcut;
    public SyntaxToken OpenParen { get; } = open;
    /// <summary>The word before the colon: `shortcut` (anything else is reported by the checker).</summary>
    public SyntaxToken Label { get; } = label;
    public SyntaxToken Colon { get; } = colon;
    public ChainSyntax? Chain { get; } = chain;
    /// <summary>Tokens after the chain that are not ')'.</summary>
    public SkippedTokensSyntax? Skipped { get; } = skipped;
    public SyntaxToken CloseParen { get; } = close;
}

/// <summary>
/// Stack items joined by arrows: a shortcut's layers (`conv(8, kernel: 1) -> batchnorm`), or what follows a
/// merge argument's name (`-> conv(8, kernel: 1)`, the leading arrow included). Never empty.
/// </summary>
public sealed class ChainSyntax(IReadOnlyList<SyntaxElement> items) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = items.ToArray();
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.Chain;
    /// <summary>Items and arrow tokens, in order.</summary>
    public IReadOnlyList<SyntaxElement> Items => _slots;
    private StackItemSyntax[]? _layers; public IReadOnlyList<StackItemSyntax> Layers => _layers ??= _slots.OfType<StackItemSyntax>().ToArray();
}

/// <summary>`concat(e1, e2)` or `add(e1 -> conv(64, kernel: 1))`: merges the running tensor with named ones, optionally `as NAME`.</summary>
public sealed class MergeSyntax(SyntaxToken name, SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close, TensorNameSyntax? tensorName = null) : StackItemSyntax
{
    private readonly SyntaxElement[] _slots = WrapMerge(name, open, items, close, tensorName);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.Merge;
    /// <summary>`concat` or `add`.</summary>
    public SyntaxToken Name { get; } = name;
    public SyntaxToken OpenParen { get; } = open;
    /// <summary>Arguments, commas and skipped tokens.</summary>
    public IReadOnlyList<SyntaxElement> Items => new ArraySegment<SyntaxElement>(_slots, 2, _slots.Length - (TensorName is null ? 3 : 4));
    private MergeArgumentSyntax[]? _arguments; public IReadOnlyList<MergeArgumentSyntax> Arguments => _arguments ??= _slots.OfType<MergeArgumentSyntax>().ToArray();
    public SyntaxToken CloseParen { get; } = close;
    public override TensorNameSyntax? TensorName { get; } = tensorName;

    private static SyntaxElement[] WrapMerge(SyntaxToken name, SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close, TensorNameSyntax? tensorName)
    {
        var a = new SyntaxElement[items.Count + (tensorName is null ? 3 : 4)];
        a[0] = name;
        a[1] = open;
        for (int i = 0; i < items.Count; i++) a[i + 2] = items[i];
        a[items.Count + 2] = close;
        if (tensorName is not null) a[^1] = tensorName;
        return a;
    }
}

/// <summary>One argument of a merge: a tensor name (a body's name, a block parameter or `time`) and the chain applied to it, if any.</summary>
public sealed class MergeArgumentSyntax(SyntaxToken source, ChainSyntax? chain) : SyntaxNode
{
    internal override int SlotCount => 2;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Source, 1 => Chain, _ => null };
    public override SyntaxKind Kind => SyntaxKind.MergeArgument;
    public SyntaxToken Source { get; } = source;
    /// <summary>`-> conv(…) -> batchnorm` (its first item is the arrow), or null for a bare name.</summary>
    public ChainSyntax? Chain { get; } = chain;
}

/// <summary>`as e1` after a stack item: names the tensor it produces (`as` is a contextual word, not a keyword).</summary>
public sealed class TensorNameSyntax(SyntaxToken asWord, SyntaxToken name) : SyntaxNode
{
    internal override int SlotCount => 2;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => AsWord, 1 => Name, _ => null };
    public override SyntaxKind Kind => SyntaxKind.TensorName;
    public SyntaxToken AsWord { get; } = asWord;
    public SyntaxToken Name { get; } = name;
}

public sealed class ArgumentListSyntax(SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = Wrap(open, items, close);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.ArgumentList;
    public SyntaxToken OpenParen { get; } = open;
    /// <summary>Arguments, commas and skipped tokens.</summary>
    public IReadOnlyList<SyntaxElement> Items => new ArraySegment<SyntaxElement>(_slots, 1, _slots.Length - 2);
    private ArgumentSyntax[]? _arguments; public IReadOnlyList<ArgumentSyntax> Arguments => _arguments ??= Collect(_slots);

    private static ArgumentSyntax[] Collect(SyntaxElement[] items)
    {
        int n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is ArgumentSyntax) n++;
        if (n == 0) return [];
        var result = new ArgumentSyntax[n];
        n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is ArgumentSyntax d) result[n++] = d;
        return result;
    }
    public SyntaxToken CloseParen { get; } = close;
}

/// <summary>`value` or `name: value`.</summary>
public sealed class ArgumentSyntax(SyntaxToken? name, SyntaxToken? colon, ExpressionSyntax value) : SyntaxNode
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Name, 1 => Colon, 2 => Value, _ => null };
    public override SyntaxKind Kind => SyntaxKind.Argument;
    public SyntaxToken? Name { get; } = name;
    public SyntaxToken? Colon { get; } = colon;
    public ExpressionSyntax Value { get; } = value;
}

/// <summary>`{ name: value … }` — the body of `gan`, `diffusion` and `train`.</summary>
public sealed class PropertyBodySyntax(SyntaxToken open, IReadOnlyList<SyntaxElement> items, SyntaxToken close) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = Wrap(open, items, close);
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.PropertyBody;
    public SyntaxToken OpenBrace { get; } = open;
    public IReadOnlyList<SyntaxElement> Items => new ArraySegment<SyntaxElement>(_slots, 1, _slots.Length - 2);
    private PropertySyntax[]? _properties; public IReadOnlyList<PropertySyntax> Properties => _properties ??= Collect(_slots);

    private static PropertySyntax[] Collect(SyntaxElement[] items)
    {
        int n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is PropertySyntax) n++;
        if (n == 0) return [];
        var result = new PropertySyntax[n];
        n = 0;
        for (int i = 0; i < items.Length; i++) if (items[i] is PropertySyntax d) result[n++] = d;
        return result;
    }
    public SyntaxToken CloseBrace { get; } = close;
}

public sealed class PropertySyntax(SyntaxToken name, SyntaxToken colon, ExpressionSyntax value, SyntaxToken? comma) : SyntaxNode
{
    internal override int SlotCount => 4;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Name, 1 => Colon, 2 => Value, 3 => Comma, _ => null };
    public override SyntaxKind Kind => SyntaxKind.Property;
    public SyntaxToken Name { get; } = name;
    public SyntaxToken Colon { get; } = colon;
    public ExpressionSyntax Value { get; } = value;
    public SyntaxToken? Comma { get; } = comma;
}

public abstract class ExpressionSyntax : SyntaxNode
{
    /// <summary>The checker's value of a literal or a plain word: it depends only on the text, and block bodies are evaluated once per use.</summary>
    internal object? CachedValue;
}

/// <summary>A number, shape, string, `true` or `false`.</summary>
public sealed class LiteralExpressionSyntax(SyntaxToken token) : ExpressionSyntax
{
    internal override int SlotCount => 1;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Token, _ => null };
    public override SyntaxKind Kind => SyntaxKind.LiteralExpression;
    public SyntaxToken Token { get; } = token;
}

/// <summary>A name: an enum word (`max`), a block parameter, a data set, or `cuda:1` (with suffix).</summary>
public sealed class NameExpressionSyntax(SyntaxToken name, SyntaxToken? suffixColon = null, SyntaxToken? suffixNumber = null) : ExpressionSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Name, 1 => SuffixColon, 2 => SuffixNumber, _ => null };
    public override SyntaxKind Kind => SyntaxKind.NameExpression;
    public SyntaxToken Name { get; } = name;
    public SyntaxToken? SuffixColon { get; } = suffixColon;
    public SyntaxToken? SuffixNumber { get; } = suffixNumber;
    public string FullName => SuffixNumber is null ? Name.Text : $"{Name.Text}:{SuffixNumber.Text}";
}

/// <summary>`adam(lr: 1e-3)`, `images("dir", size: 64x64)`.</summary>
public sealed class CallExpressionSyntax(SyntaxToken name, ArgumentListSyntax arguments) : ExpressionSyntax
{
    internal override int SlotCount => 2;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Name, 1 => Arguments, _ => null };
    public override SyntaxKind Kind => SyntaxKind.CallExpression;
    public SyntaxToken Name { get; } = name;
    public ArgumentListSyntax Arguments { get; } = arguments;
}

/// <summary>`128 * 7 * 7` — integer products.</summary>
public sealed class ProductExpressionSyntax(ExpressionSyntax left, SyntaxToken star, ExpressionSyntax right) : ExpressionSyntax
{
    internal override int SlotCount => 3;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Left, 1 => Star, 2 => Right, _ => null };
    public override SyntaxKind Kind => SyntaxKind.ProductExpression;
    public ExpressionSyntax Left { get; } = left;
    public SyntaxToken Star { get; } = star;
    public ExpressionSyntax Right { get; } = right;
}

/// <summary>Where a value was required but absent; holds a zero-width missing token.</summary>
public sealed class MissingExpressionSyntax(SyntaxToken missing) : ExpressionSyntax
{
    internal override int SlotCount => 1;
    internal override SyntaxElement? Slot(int index) => index switch { 0 => Token, _ => null };
    public override SyntaxKind Kind => SyntaxKind.MissingExpression;
    public SyntaxToken Token { get; } = missing;
}

/// <summary>Tokens the parser could not place; they stay in the tree so no text is lost.</summary>
public sealed class SkippedTokensSyntax(IReadOnlyList<SyntaxToken> tokens) : SyntaxNode
{
    private readonly SyntaxElement[] _slots = tokens.ToArray<SyntaxElement>();
    internal override int SlotCount => _slots.Length;
    internal override SyntaxElement? Slot(int index) => _slots[index];
    public override SyntaxKind Kind => SyntaxKind.SkippedTokens;
    public IReadOnlyList<SyntaxToken> SkippedTokens { get; } = tokens;
}
