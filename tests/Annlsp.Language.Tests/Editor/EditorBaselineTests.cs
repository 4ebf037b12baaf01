namespace Annlsp.Language.Tests.Editor;

/// <summary>
/// Every fixture under tests/editor/&lt;feature&gt;/*.ann, rendered by its feature's <see cref="EditorRenderer"/>, against
/// tests/baselines/editor/&lt;feature&gt;/*.ann.txt. Any difference fails; `scripts/update-baselines.sh`
/// (ANNLSP_UPDATE_BASELINES=1) rewrites them for review.
/// </summary>
public class EditorBaselineTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Repo.PathOf("tests", "editor")).Order(StringComparer.Ordinal))
            foreach (var f in Directory.GetFiles(dir, "*.ann").Order(StringComparer.Ordinal))
                data.Add($"{Path.GetFileName(dir)}/{Path.GetFileName(f)}");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_baseline(string fixturePath)
    {
        string feature = fixturePath[..fixturePath.IndexOf('/')];
        Assert.True(EditorRenderer.Features.TryGetValue(feature, out var render), $"tests/editor/{feature} is not a feature: use one of {string.Join(", ", EditorRenderer.Features.Keys)}");
        var fixture = EditorFixture.Parse(File.ReadAllText(Repo.PathOf("tests", "editor", fixturePath)));
        string actual = render(fixture);
        string baseline = Repo.PathOf("tests", "baselines", "editor", fixturePath + ".txt");
        if (Environment.GetEnvironmentVariable("ANNLSP_UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(baseline)!);
            File.WriteAllText(baseline, actual);
            return;
        }
        Assert.True(File.Exists(baseline), $"No baseline for tests/editor/{fixturePath}; run scripts/update-baselines.sh and review the new file");
        Assert.Equal(File.ReadAllText(baseline).ReplaceLineEndings(), actual.ReplaceLineEndings());
    }

    [Fact]
    public void Every_feature_has_fixtures()
    {
        var present = Directory.GetDirectories(Repo.PathOf("tests", "editor")).Select(Path.GetFileName).ToHashSet();
        Assert.DoesNotContain(EditorRenderer.Features.Keys, f => !present.Contains(f));
    }

    [Fact]
    public void Every_baseline_has_its_fixture()
    {
        var root = Repo.PathOf("tests", "baselines", "editor");
        var orphans = Directory.GetFiles(root, "*.ann.txt", SearchOption.AllDirectories)
            .Select(b => Path.GetRelativePath(root, b).Replace('\\', '/')[..^".txt".Length])
            .Where(f => !File.Exists(Repo.PathOf("tests", "editor", f))).ToList();
        Assert.True(orphans.Count == 0, "Baselines without a fixture in tests/editor (delete them): " + string.Join(", ", orphans));
    }

    [Fact]
    public void Carets_are_found_and_removed()
    {
        var fixture = EditorFixture.Parse("network N {\n    $0input(4)\n    dense(2)$0\n}\n");
        Assert.Equal("network N {\n    input(4)\n    dense(2)\n}\n", fixture.Text);
        Assert.Equal(new[] { 16, 37 }, fixture.Carets);
        Assert.Equal("== line 3: dense(2)$0", fixture.CaretHeading(1));
    }
}
