namespace Annlsp.Language.Text;

/// <summary>A half-open range of characters [Start, End) in a document.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
    public static TextSpan FromBounds(int start, int end) => new(start, Math.Max(0, end - start));
    public bool Contains(int position) => position >= Start && position < End;
    /// <summary>Contains, counting the end position too (a caret just after a word is "in" it).</summary>
    public bool Touches(int position) => position >= Start && position <= End;
    public override string ToString() => $"[{Start}..{End})";
}

/// <summary>Zero-based line and UTF-16 column, as LSP counts them.</summary>
public readonly record struct LinePosition(int Line, int Character)
{
    public override string ToString() => $"{Line + 1}:{Character + 1}";
}

/// <summary>Document text with a line map. Immutable.</summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string text)
    {
        Text = text;
        // Two vectorised passes, counting then filling, rather than a list grown line by line (the server makes one
        // of these for every edit of a big document).
        var span = text.AsSpan();
        int lines = 1;
        for (int i = span.IndexOfAny('\r', '\n'); i >= 0; lines++)
        {
            if (span[i] == '\r' && i + 1 < span.Length && span[i + 1] == '\n') i++;
            int next = span[(i + 1)..].IndexOfAny('\r', '\n');
            i = next < 0 ? -1 : i + 1 + next;
        }
        var starts = new int[lines];
        lines = 1;
        for (int i = span.IndexOfAny('\r', '\n'); i >= 0;)
        {
            if (span[i] == '\r' && i + 1 < span.Length && span[i + 1] == '\n') i++;
            starts[lines++] = i + 1;
            int next = span[(i + 1)..].IndexOfAny('\r', '\n');
            i = next < 0 ? -1 : i + 1 + next;
        }
        _lineStarts = starts;
    }

    public string Text { get; }
    public int Length => Text.Length;
    public int LineCount => _lineStarts.Length;

    public int LineStart(int line) => _lineStarts[Math.Clamp(line, 0, _lineStarts.Length - 1)];

    /// <summary>End of the line's content, before its line break.</summary>
    public int LineEnd(int line)
    {
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        while (end > LineStart(line) && (Text[end - 1] == '\n' || Text[end - 1] == '\r')) end--;
        return end;
    }

    public LinePosition GetPosition(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        int line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return new LinePosition(line, offset - _lineStarts[line]);
    }

    /// <summary>
    /// The offset of a position, clamped as LSP asks: a character past the end of its line means the line's end
    /// (whatever its size, up to int.MaxValue), a line past the last one the end of the text.
    /// </summary>
    public int GetOffset(LinePosition position)
    {
        if (position.Line < 0) return 0;
        if (position.Line >= _lineStarts.Length) return Text.Length;
        int start = _lineStarts[position.Line];
        int end = LineEnd(position.Line);
        return position.Character <= 0 ? start : position.Character >= end - start ? end : start + position.Character;
    }

    public (LinePosition Start, LinePosition End) GetRange(TextSpan span) => (GetPosition(span.Start), GetPosition(span.End));

    public override string ToString() => Text;
}
