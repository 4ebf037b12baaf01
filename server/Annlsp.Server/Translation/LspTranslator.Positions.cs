using Annlsp.Language.Text;
using Annlsp.Server.Protocol;
using Range = Annlsp.Server.Protocol.Range;

namespace Annlsp.Server.Translation;

/// <summary>
/// Every conversion between the language core and LSP, in one class (split over files by topic).
/// Positions: LSP counts lines and UTF-16 code units, exactly as <see cref="SourceText"/> does, so the
/// conversion is the line map's; out-of-range positions are clamped, never thrown on.
/// </summary>
public static partial class LspTranslator
{
    public static Position ToPosition(SourceText text, int offset)
    {
        var p = text.GetPosition(offset);
        return new Position(p.Line, p.Character);
    }

    public static Range ToRange(SourceText text, TextSpan span) =>
        new(ToPosition(text, span.Start), ToPosition(text, span.End));

    public static int ToOffset(SourceText text, Position position) =>
        text.GetOffset(new LinePosition(position.Line, position.Character));

    /// <summary>The zero-based LSP line of an offset.</summary>
    public static int ToLine(SourceText text, int offset) => text.GetPosition(offset).Line;

    /// <summary>Offset of the end of a line's content (before its line break).</summary>
    public static int LineEndOffset(SourceText text, int line) => text.LineEnd(line);

    public static TextSpan ToSpan(SourceText text, Range range)
    {
        int start = ToOffset(text, range.Start), end = ToOffset(text, range.End);
        return end >= start ? TextSpan.FromBounds(start, end) : TextSpan.FromBounds(end, start);
    }
}
