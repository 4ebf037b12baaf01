using System.Text;
using Annlsp.Language;
using Annlsp.Server.Handlers;
using Annlsp.Server.Tests.Infrastructure;

namespace Annlsp.Server.Tests;

/// <summary>
/// The completion lists at the carets (‸) of each file in tests/completion, rendered in the order the editor shows
/// them, against tests/baselines/completion/*.txt. `scripts/update-baselines.sh` (ANNLSP_UPDATE_BASELINES=1)
/// rewrites them for review. Calls <see cref="CompletionProvider"/> directly: no JSON-RPC in between.
/// </summary>
public class CompletionBaselineTests
{
    private const char Caret = '‸';

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(ServerProcess.RepoRoot, "tests", "completion"), "*.ann").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_baseline(string name)
    {
        string source = File.ReadAllText(Path.Combine(ServerProcess.RepoRoot, "tests", "completion", name));
        string actual = Render(source);
        string baseline = Path.Combine(ServerProcess.RepoRoot, "tests", "baselines", "completion", name + ".txt");
        if (Environment.GetEnvironmentVariable("ANNLSP_UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(baseline)!);
            File.WriteAllText(baseline, actual);
            return;
        }
        Assert.True(File.Exists(baseline), $"No baseline for {name}; run scripts/update-baselines.sh and review the new file");
        Assert.Equal(File.ReadAllText(baseline).ReplaceLineEndings(), actual.ReplaceLineEndings());
    }

    /// <summary>For each caret: the line it is on, then every item as `label — description`, values with their detail.</summary>
    private static string Render(string source)
    {
        string text = source.Replace(Caret.ToString(), "");
        var analysis = DocumentAnalysis.Analyze(text);
        var lines = source.Split('\n');
        var sb = new StringBuilder();
        int removed = 0;
        for (int i = source.IndexOf(Caret); i >= 0; i = source.IndexOf(Caret, i + 1))
        {
            int offset = i - removed++;
            int line = source[..i].Count(c => c == '\n');
            sb.AppendLine($"== line {line + 1}: {lines[line].Trim()}");
            var items = CompletionProvider.Complete(analysis, offset).OrderBy(x => x.SortText ?? x.Label, StringComparer.Ordinal).ThenBy(x => x.Label, StringComparer.Ordinal);
            foreach (var item in items)
            {
                string description = item.LabelDetails?.Description is { } d ? $" — {d}" : "";
                sb.AppendLine($"{item.Label}{description}");
                if (item.Kind == Protocol.CompletionItemKind.Value) sb.AppendLine($"    {item.Detail}");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
