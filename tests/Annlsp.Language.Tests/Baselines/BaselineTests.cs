using Annlsp.Language.Diagnostics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Tests.Baselines;

/// <summary>
/// Every example and test case has a readable baseline under tests/baselines/. Any difference fails;
/// `scripts/update-baselines.sh` (ANNLSP_UPDATE_BASELINES=1) rewrites them for review.
/// </summary>
public class BaselineTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "examples", "examples/mistakes", "tests/cases" })
            foreach (var f in Directory.GetFiles(Repo.PathOf(dir), "*.ann").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_baseline(string relativePath)
    {
        string actual = BaselineRenderer.Render(File.ReadAllText(Repo.PathOf(relativePath)));
        string baseline = Repo.PathOf("tests", "baselines", relativePath + ".txt");
        if (Environment.GetEnvironmentVariable("ANNLSP_UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(baseline)!);
            File.WriteAllText(baseline, actual);
            return;
        }
        Assert.True(File.Exists(baseline), $"No baseline for {relativePath}; run scripts/update-baselines.sh and review the new file");
        Assert.Equal(File.ReadAllText(baseline).ReplaceLineEndings(), actual.ReplaceLineEndings());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Applying_each_fix_removes_its_diagnostic(string relativePath)
    {
        string text = File.ReadAllText(Repo.PathOf(relativePath));
        var analysis = DocumentAnalysis.Analyze(text);
        foreach (var d in analysis.Diagnostics.Where(d => d.Fixes.Count > 0))
        {
            foreach (var fix in d.Fixes)
            {
                string fixedText = Apply(text, fix.Edits);
                var after = DocumentAnalysis.Analyze(fixedText);
                int before = analysis.Diagnostics.Count(x => x.Code == d.Code);
                int remaining = after.Diagnostics.Count(x => x.Code == d.Code);
                Assert.True(remaining < before, $"{relativePath}: fix '{fix.Title}' for {d.Code} at {d.Span} left {remaining} of {before}:\n{fixedText}");
                int syntaxBefore = analysis.Diagnostics.Count(x => x.Code.StartsWith("ANN1"));
                Assert.True(after.Diagnostics.Count(x => x.Code.StartsWith("ANN1")) <= syntaxBefore, $"fix '{fix.Title}' introduced a syntax error:\n{fixedText}");
            }
        }
    }

    public static string Apply(string text, IReadOnlyList<TextEdit> edits)
    {
        foreach (var e in edits.OrderByDescending(e => e.Span.Start))
            text = text[..e.Span.Start] + e.NewText + text[e.Span.End..];
        return text;
    }
}

/// <summary>examples/mistakes/ holds one file per diagnostic code, annotated `# expect: CODE`.</summary>
public class MistakeExampleTests
{
    private static IEnumerable<(string File, string[] Expected)> Mistakes() =>
        Directory.GetFiles(Repo.PathOf("examples", "mistakes"), "*.ann").Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllLines(f).Where(l => l.StartsWith("# expect: ")).Select(l => l["# expect: ".Length..].Trim()).ToArray()));

    [Fact]
    public void Every_catalogued_code_has_a_mistake_example()
    {
        var covered = Mistakes().SelectMany(m => m.Expected).ToHashSet();
        var missing = DiagnosticCatalog.All.Except(DiagnosticCatalog.WithoutMistakeExample).Select(d => d.Code).Where(c => !covered.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "No example in examples/mistakes for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Each_mistake_example_reports_exactly_its_expected_codes()
    {
        foreach (var (file, expected) in Mistakes())
        {
            Assert.NotEmpty(expected);
            var analysis = DocumentAnalysis.Analyze(File.ReadAllText(file));
            var reported = analysis.Diagnostics.Where(d => d.Severity <= DiagnosticSeverity.Warning || expected.Contains(d.Code))
                .Select(d => d.Code).Distinct().Order().ToArray();
            Assert.True(expected.Order().SequenceEqual(reported),
                $"{Path.GetFileName(file)}: expected [{string.Join(", ", expected)}] but got [{string.Join(", ", reported)}]");
        }
    }

    [Fact]
    public void Codes_are_unique_and_in_their_family()
    {
        var codes = DiagnosticCatalog.All.Select(d => d.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        foreach (var d in DiagnosticCatalog.All)
        {
            char family = d.Code[3];
            Assert.True(family == '5' ? d.Severity != DiagnosticSeverity.Error : d.Severity == DiagnosticSeverity.Error, d.Code);
        }
    }
}
