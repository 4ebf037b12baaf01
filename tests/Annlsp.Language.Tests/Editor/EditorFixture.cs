namespace Annlsp.Language.Tests.Editor;

/// <summary>
/// A fixture under tests/editor/&lt;feature&gt;/: `.ann` text in which each `$0` marks a caret. The markers are removed
/// before analysis; <see cref="Carets"/> are their offsets in the text that remains.
/// </summary>
public sealed class EditorFixture
{
    public const string Marker = "$0";

    private EditorFixture(string source, string text, IReadOnlyList<int> carets)
    {
        Source = source;
        Text = text;
        Carets = carets;
    }

    /// <summary>The fixture as written, markers included.</summary>
    public string Source { get; }
    /// <summary>The document the features see.</summary>
    public string Text { get; }
    public IReadOnlyList<int> Carets { get; }

    public static EditorFixture Parse(string source)
    {
        source = source.ReplaceLineEndings("\n");
        var carets = new List<int>();
        for (int i = source.IndexOf(Marker, StringComparison.Ordinal); i >= 0; i = source.IndexOf(Marker, i + Marker.Length, StringComparison.Ordinal))
            carets.Add(i - carets.Count * Marker.Length);
        return new EditorFixture(source, source.Replace(Marker, ""), carets);
    }

    /// <summary>`== line N: …` — the caret's line with this caret marked (and no other), to head its part of a baseline.</summary>
    public string CaretHeading(int caretIndex)
    {
        int caret = Carets[caretIndex];
        int lineStart = Text.LastIndexOf('\n', Math.Max(0, caret - 1)) + 1;
        if (caret == 0) lineStart = 0;
        int lineEnd = Text.IndexOf('\n', caret);
        if (lineEnd < 0) lineEnd = Text.Length;
        int line = Text.Take(caret).Count(ch => ch == '\n');
        string marked = Text[lineStart..caret] + Marker + Text[caret..lineEnd];
        return $"== line {line + 1}: {marked.Trim()}";
    }
}
