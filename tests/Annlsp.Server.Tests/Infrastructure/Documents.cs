using Annlsp.Language.Text;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>Helpers to address text by content rather than by hand-counted line/column.</summary>
public static class TestDocs
{
    public static string Example(string name) => File.ReadAllText(Path.Combine(ServerProcess.RepoRoot, "examples", name));

    public static IEnumerable<string> ExampleFiles(string folder = "") =>
        Directory.Exists(Path.Combine(ServerProcess.RepoRoot, "examples", folder))
            ? Directory.GetFiles(Path.Combine(ServerProcess.RepoRoot, "examples", folder), "*.ann").OrderBy(f => f, StringComparer.Ordinal)
            : [];

    public static string Uri(string name) => "file:///workspace/" + name;

    /// <summary>LSP position of the n-th occurrence of <paramref name="marker"/>, plus <paramref name="delta"/> characters.</summary>
    public static object At(string text, string marker, int delta = 0, int occurrence = 0)
    {
        int index = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            index = text.IndexOf(marker, index + 1, StringComparison.Ordinal);
            if (index < 0) throw new ArgumentException($"'{marker}' (occurrence {occurrence}) not in the text");
        }
        var p = new SourceText(text).GetPosition(index + delta);
        return new { line = p.Line, character = p.Character };
    }

    /// <summary>
    /// A text with carets marked `$0`, as in the fixtures of tests/editor: the text without the markers and the LSP
    /// position of each marker in it, in order.
    /// </summary>
    public static (string Text, List<object> Carets) Carets(string marked)
    {
        const string marker = "$0";
        var offsets = new List<int>();
        for (int i = marked.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = marked.IndexOf(marker, i + marker.Length, StringComparison.Ordinal))
            offsets.Add(i - offsets.Count * marker.Length);
        string text = marked.Replace(marker, "");
        var source = new SourceText(text);
        return (text, offsets.Select(o => source.GetPosition(o)).Select(p => (object)new { line = p.Line, character = p.Character }).ToList());
    }

    /// <summary>Applies LSP TextEdits (non-overlapping) to a text.</summary>
    public static string Apply(string text, JArray edits)
    {
        var source = new SourceText(text);
        var spans = edits.Select(e =>
        {
            var r = e["range"]!;
            int start = source.GetOffset(new LinePosition(r["start"]!.Value<int>("line"), r["start"]!.Value<int>("character")));
            int end = source.GetOffset(new LinePosition(r["end"]!.Value<int>("line"), r["end"]!.Value<int>("character")));
            return (start, end, newText: e.Value<string>("newText")!);
        }).OrderByDescending(e => e.start).ToList();
        foreach (var (start, end, newText) in spans) text = text[..start] + newText + text[end..];
        return text;
    }

    public static string Slice(string text, JToken range)
    {
        var source = new SourceText(text);
        int start = source.GetOffset(new LinePosition(range["start"]!.Value<int>("line"), range["start"]!.Value<int>("character")));
        int end = source.GetOffset(new LinePosition(range["end"]!.Value<int>("line"), range["end"]!.Value<int>("character")));
        return text[start..end];
    }
}
