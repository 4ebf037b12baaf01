using Annlsp.Language.Editor;

namespace Annlsp.Language.Tests.Editor;

/// <summary>The canonical layout on every example, mistake, test case and editor fixture: it changes only layout, never meaning.</summary>
public class FormatterTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "examples", "examples/mistakes", "tests/cases" })
            foreach (var f in Directory.GetFiles(Repo.PathOf(dir), "*.ann").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'));
        foreach (var f in Directory.GetFiles(Repo.PathOf("tests", "editor"), "*.ann", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Formatting_never_changes_meaning_and_is_idempotent(string relativePath)
    {
        string text = EditorFixture.Parse(File.ReadAllText(Repo.PathOf(relativePath))).Text;
        var before = DocumentAnalysis.Analyze(text);
        foreach (var indent in new[] { "    ", "  ", "\t" })
        {
            var result = CanonicalFormatter.FormatDocument(before, indent);
            if (before.Diagnostics.Any(d => d.Code.StartsWith("ANN1", StringComparison.Ordinal)))
            {
                Assert.Equal(FormatOutcome.SyntaxErrors, result.Outcome);
                Assert.Equal(text, result.Text);                                // left alone
                Assert.NotEmpty(result.SyntaxErrors);
                continue;
            }
            Assert.NotEqual(FormatOutcome.Refused, result.Outcome);
            var after = DocumentAnalysis.Analyze(result.Text);
            Assert.Equal(before.Diagnostics.Select(d => (d.Code, d.Message)), after.Diagnostics.Select(d => (d.Code, d.Message)));
            Assert.Equal(CanonicalFormatter.Significant(before), CanonicalFormatter.Significant(after));
            Assert.Equal(FormatOutcome.Unchanged, CanonicalFormatter.FormatDocument(after, indent).Outcome);
            Assert.DoesNotContain(" \n", result.Text);
            Assert.True(result.Text.Length == 0 || result.Text.EndsWith('\n'));
        }
    }
}
