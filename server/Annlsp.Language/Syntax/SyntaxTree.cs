using System.Text;
using Annlsp.Language.Text;

namespace Annlsp.Language.Syntax;

/// <summary>Whitespace, a line break or a comment. Trivia always leads the token that follows it.</summary>
public readonly record struct SyntaxTrivia(SyntaxKind Kind, int Position, string Text)
{
    public TextSpan Span => new(Position, Text.Length);
}

/// <summary>A token or a node: the tree is made of both, and together they cover every character.</summary>
public abstract class SyntaxElement
{
    public SyntaxNode? Parent { get; internal set; }
    public abstract SyntaxKind Kind { get; }
    /// <summary>Span including leading trivia.</summary>
    public abstract TextSpan FullSpan { get; }
    /// <summary>Span of the significant text (without trivia).</summary>
    public abstract TextSpan Span { get; }
    public abstract void WriteTo(StringBuilder builder);

    public IEnumerable<SyntaxNode> Ancestors()
    {
        for (var node = Parent; node is not null; node = node.Parent) yield return node;
    }

    public string ToFullString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}

/// <summary>
/// The trivia before a token without positions: the lexer shares one instance between all tokens with
/// the same leading text (a line break and an indentation, one space), so most tokens allocate none.
/// </summary>
internal sealed class TriviaRun
{
    public static readonly TriviaRun None = new([], []);

    public TriviaRun(SyntaxKind[] kinds, string[] texts)
    {
        Kinds = kinds;
        Texts = texts;
        foreach (var t in texts) Length += t.Length;
        HasNewLine = Array.IndexOf(kinds, SyntaxKind.NewLine) >= 0;
    }

    public SyntaxKind[] Kinds { get; }
    public string[] Texts { get; }
    public int Length { get; }
    public bool HasNewLine { get; }

    public static TriviaRun From(IReadOnlyList<SyntaxTrivia> trivia) =>
        trivia.Count == 0 ? None : new(trivia.Select(t => t.Kind).ToArray(), trivia.Select(t => t.Text).ToArray());
}

/// <summary>The text and value of a token that has a value (numbers, shapes, strings): one field of the token holds either this or the text.</summary>
internal sealed class TokenText(string text, object value)
{
    public string Text { get; } = text;
    public object Value { get; } = value;
}

public sealed class SyntaxToken : SyntaxElement
{
    // 48 bytes a token (a big document has a hundred thousand): the kind and the missing flag share a field,
    // the text and the value too (most tokens have no value), and trivia with positions is made only when asked for.
    private readonly int _kindAndFlags;
    private const int MissingFlag = 1 << 30;
    private readonly TriviaRun _trivia;
    /// <summary>The text (a string), or a <see cref="TokenText"/> with the value.</summary>
    private readonly object _textOrValue;

    public SyntaxToken(SyntaxKind kind, int position, string text, IReadOnlyList<SyntaxTrivia> leadingTrivia, object? value = null, bool isMissing = false)
        : this(kind, position, text, TriviaRun.From(leadingTrivia), value, isMissing)
    {
    }

    internal SyntaxToken(SyntaxKind kind, int position, string text, TriviaRun trivia, object? value = null, bool isMissing = false)
    {
        _kindAndFlags = (int)kind | (isMissing ? MissingFlag : 0);
        Position = position;
        _textOrValue = value is null ? text : new TokenText(text, value);
        _trivia = trivia;
    }

    /// <summary>A token whose text and value the lexer shares between the tokens that repeat them (numbers).</summary>
    internal SyntaxToken(SyntaxKind kind, int position, TokenText textAndValue, TriviaRun trivia)
    {
        _kindAndFlags = (int)kind;
        Position = position;
        _textOrValue = textAndValue;
        _trivia = trivia;
    }

    public override SyntaxKind Kind => (SyntaxKind)(_kindAndFlags & ~MissingFlag);
    /// <summary>Start of the token's own text (after its leading trivia).</summary>
    public int Position { get; }
    public string Text => _textOrValue as string ?? ((TokenText)_textOrValue).Text;

    /// <summary>Whitespace, line breaks and comments before the token, with their positions (built on first use).</summary>
    public IReadOnlyList<SyntaxTrivia> LeadingTrivia => MaterializeTrivia();

    private SyntaxTrivia[] MaterializeTrivia()
    {
        if (_trivia.Texts.Length == 0) return [];
        var result = new SyntaxTrivia[_trivia.Texts.Length];
        int at = FullStart;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new SyntaxTrivia(_trivia.Kinds[i], at, _trivia.Texts[i]);
            at += _trivia.Texts[i].Length;
        }
        return result;
    }

    public bool HasLeadingTrivia => _trivia.Length > 0;
    /// <summary>Number: <see cref="NumberValue"/>; shape: long[]; string: the unescaped string.</summary>
    public object? Value => (_textOrValue as TokenText)?.Value;
    /// <summary>Inserted by the parser where a required token was absent; zero width.</summary>
    public bool IsMissing => (_kindAndFlags & MissingFlag) != 0;

    public int FullStart => Position - _trivia.Length;
    public override TextSpan FullSpan => TextSpan.FromBounds(FullStart, Position + Text.Length);
    public override TextSpan Span => new(Position, Text.Length);

    /// <summary>True when a line break precedes this token (used only for error recovery).</summary>
    public bool StartsLine => _trivia.HasNewLine;

    public override void WriteTo(StringBuilder builder)
    {
        foreach (var t in _trivia.Texts) builder.Append(t);
        builder.Append(Text);
    }

    public override string ToString() => Text;
}

/// <summary>The value of a number token: integers keep their exact value.</summary>
public readonly record struct NumberValue(double Value, long? Integer)
{
    public bool IsInteger => Integer.HasValue;
}

public abstract class SyntaxNode : SyntaxElement
{
    private readonly TextSpan _fullSpan;

    /// <summary>
    /// The node's parts in text order; an absent optional part is a null slot. Fixed-shape nodes answer
    /// from their fields and lists from one array, so a node costs no separate array of children.
    /// </summary>
    internal abstract int SlotCount { get; }
    internal abstract SyntaxElement? Slot(int index);

    internal static SyntaxElement[] Wrap<T>(SyntaxElement? open, IReadOnlyList<T> items, SyntaxElement close) where T : SyntaxElement
    {
        int offset = open is null ? 0 : 1;
        var a = new SyntaxElement[items.Count + offset + 1];
        if (open is not null) a[0] = open;
        for (int i = 0; i < items.Count; i++) a[i + offset] = items[i];
        a[^1] = close;
        return a;
    }

    /// <summary>Runs after the derived node's fields are set (C# runs field initialisers before the base constructor).</summary>
    protected SyntaxNode()
    {
        SyntaxElement? first = null, last = null;
        int count = SlotCount;
        for (int i = 0; i < count; i++)
        {
            if (Slot(i) is not { } child) continue;
            child.Parent = this;
            first ??= child;
            last = child;
        }
        _fullSpan = first is null ? default : TextSpan.FromBounds(first.FullSpan.Start, last!.FullSpan.End);
    }

    /// <summary>The parts present, in text order (made on each call).</summary>
    public IReadOnlyList<SyntaxElement> Children
    {
        get
        {
            var result = new List<SyntaxElement>(SlotCount);
            for (int i = 0; i < SlotCount; i++) if (Slot(i) is { } child) result.Add(child);
            return result;
        }
    }

    public override TextSpan FullSpan => _fullSpan;

    /// <summary>The span packed as (length &lt;&lt; 32) | start, -1 until computed: 8 bytes a node rather than a nullable's 12 (one write, never torn).</summary>
    private long _span = -1;
    public override TextSpan Span
    {
        get
        {
            long packed = _span;
            if (packed == -1)
            {
                var span = ComputeSpan();
                _span = packed = ((long)span.Length << 32) | (uint)span.Start;
            }
            return new TextSpan((int)(uint)packed, (int)(packed >> 32));
        }
    }

    private static SyntaxToken? First(SyntaxNode n, bool includeMissing)
    {
        int count = n.SlotCount;
        for (int i = 0; i < count; i++)
        {
            var c = n.Slot(i);
            if (c is SyntaxToken t) { if (includeMissing || !t.IsMissing) return t; }
            else if (c is SyntaxNode child && First(child, includeMissing) is { } r) return r;
        }
        return null;
    }

    private static SyntaxToken? Last(SyntaxNode n, bool includeMissing)
    {
        for (int i = n.SlotCount - 1; i >= 0; i--)
        {
            var c = n.Slot(i);
            if (c is SyntaxToken t) { if (includeMissing || !t.IsMissing) return t; }
            else if (c is SyntaxNode child && Last(child, includeMissing) is { } r) return r;
        }
        return null;
    }

    private TextSpan ComputeSpan()
    {
        {
            var first = FirstToken(includeMissing: false);
            var last = LastToken(includeMissing: false);
            if (first is null || last is null)
            {
                var any = FirstToken(includeMissing: true);
                return any is null ? new TextSpan(_fullSpan.End, 0) : new TextSpan(any.Position, 0);
            }
            return TextSpan.FromBounds(first.Position, last.Span.End);
        }
    }

    public IEnumerable<SyntaxToken> Tokens()
    {
        // Iterative, so deep trees never overflow the stack.
        var stack = new Stack<SyntaxElement>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (e is SyntaxToken t) { yield return t; continue; }
            var n = (SyntaxNode)e;
            for (int i = n.SlotCount - 1; i >= 0; i--) if (n.Slot(i) is { } child) stack.Push(child);
        }
    }

    public IEnumerable<SyntaxNode> DescendantNodes()
    {
        var stack = new Stack<SyntaxNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (n != this) yield return n;
            for (int i = n.SlotCount - 1; i >= 0; i--)
                if (n.Slot(i) is SyntaxNode c) stack.Push(c);
        }
    }

    public SyntaxToken? FirstToken(bool includeMissing = false) => First(this, includeMissing);

    public SyntaxToken? LastToken(bool includeMissing = false) => Last(this, includeMissing);

    public override void WriteTo(StringBuilder builder)
    {
        foreach (var t in Tokens()) t.WriteTo(builder);
    }

    /// <summary>The deepest token whose full span contains the offset (the token the caret is in or just before).</summary>
    public SyntaxToken? FindToken(int offset)
    {
        SyntaxElement current = this;
        while (current is SyntaxNode node)
        {
            SyntaxElement? next = null;
            for (int i = 0; i < node.SlotCount; i++)
            {
                if (node.Slot(i) is not { } c) continue;
                var fs = c.FullSpan;
                if (offset >= fs.Start && offset < fs.End) { next = c; break; }
            }
            if (next is null)
            {
                // Offset at the very end: the last token.
                for (int i = node.SlotCount - 1; i >= 0 && next is null; i--)
                    if (node.Slot(i) is { } c && c.FullSpan.End == offset && c.FullSpan.Length > 0) next = c;
                if (next is null) return node.LastToken(includeMissing: true);
            }
            current = next;
        }
        return (SyntaxToken)current;
    }

    public override string ToString() => ToFullString();
}
