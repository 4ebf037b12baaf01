using Annlsp.Language.Editor;

namespace Annlsp.Language.Tests.Editor;

/// <summary>
/// The editor features on graph text as it is typed: every prefix of the graph fixtures that ends at a place where
/// a name, a merge or a chain is half written (`as`, `concat(`, `add(e1 ->`, `residual(shortcut:`), with the rest of
/// the file after it, answers every feature at the caret without throwing.
/// </summary>
public class GraphEditorTests
{
    public static TheoryData<string> Files() =>
    [
        "examples/resnet.ann",
        "examples/unet.ann",
        "tests/cases/graph-design.ann",
        "tests/editor/completion/tensors.ann",
        "tests/editor/hover/graphs.ann",
        "tests/editor/inlay-hints/graphs.ann",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Half_typed_graph_text_never_throws(string relativePath)
    {
        string text = EditorFixture.Parse(File.ReadAllText(Repo.PathOf(relativePath))).Text;
        int cuts = 0;
        for (int i = 1; i < text.Length; i++)
        {
            // after `(`, `,`, `:`, `>` (of `->`) and the word `as`: the places where graph syntax is half typed
            bool cut = text[i - 1] is '(' or ',' or ':' or '>' || (i >= 2 && text[(i - 2)..i] == "as" && text[i] == ' ');
            if (!cut) continue;
            cuts++;
            // the text up to the caret, then the rest of its line dropped (as if the user had not typed it yet)
            int lineEnd = text.IndexOf('\n', i);
            string edited = text[..i] + (lineEnd < 0 ? "" : text[lineEnd..]);
            var analysis = DocumentAnalysis.Analyze(edited);
            _ = CompletionProvider.Complete(analysis, i);
            _ = HoverProvider.Describe(analysis, i - 1);
            _ = SignatureHelpProvider.Help(analysis, i);
            _ = InlayHintProvider.Hints(analysis, 0, edited.Length);
            _ = SemanticTokenProvider.Classify(analysis);
            _ = CanonicalFormatter.FormatDocument(analysis);
        }
        Assert.True(cuts > 20, $"only {cuts} places cut in {relativePath}");
    }

    [Fact]
    public void Completion_in_a_half_typed_merge_offers_the_names_that_fit_first()
    {
        // `concat(` typed at the end of a line, nothing after it: the names before it, the one with the same H×W first
        string text = "network N {\n    input(3x16x16)\n    conv(8, kernel: 3, padding: same) as full\n    pool(max, 2) as half\n    conv(4, kernel: 3, padding: same)\n    concat(\n}\n";
        int caret = text.IndexOf("concat(", StringComparison.Ordinal) + "concat(".Length;
        var entries = CompletionProvider.Complete(DocumentAnalysis.Analyze(text), caret).OrderBy(e => e.SortText, StringComparer.Ordinal).ToList();
        Assert.Equal(["half", "full"], entries.Select(e => e.Label));
        Assert.Equal("8×8×8", entries[0].Description);
        Assert.Equal("8×16×16; needs H×W 8×8 for concat", entries[1].Description);
        Assert.StartsWith("8×8×8 · line 4", entries[0].Detail);
    }
}
