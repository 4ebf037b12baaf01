using System.Text.RegularExpressions;

namespace Annlsp.Language.Tests;

/// <summary>
/// Every relative link in README.md and docs/*.md leads somewhere: the file exists and, when the link names a
/// section (`file.md#section`), that file has a heading with GitHub's anchor for it. Sections move between
/// documents; a link left behind would otherwise fail silently.
/// </summary>
public partial class DocLinkTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        foreach (var f in Directory.GetFiles(Repo.PathOf("docs"), "*.md").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_leads_to_a_file_and_heading(string document)
    {
        var path = Repo.PathOf(document);
        var broken = new List<string>();
        // Code is not a link: `self.layers[0:2](x)` in an inline span must not count.
        foreach (Match m in Link().Matches(InlineCode().Replace(WithoutCode(File.ReadAllText(path)), "")))
        {
            string target = m.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            int hash = target.IndexOf('#', StringComparison.Ordinal);
            string file = hash < 0 ? target : target[..hash];
            string? anchor = hash < 0 ? null : target[(hash + 1)..];
            string linked = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(linked) && !Directory.Exists(linked)) { broken.Add($"{target}: no such file"); continue; }
            if (anchor is not null && linked.EndsWith(".md", StringComparison.Ordinal) && !Anchors(linked).Contains(anchor))
                broken.Add($"{target}: no heading with that anchor in {Path.GetFileName(linked)}");
        }
        Assert.True(broken.Count == 0, $"{document} has broken links:\n" + string.Join("\n", broken));
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces as '-'.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match h in Heading().Matches(WithoutCode(File.ReadAllText(markdown))))
        {
            string text = h.Groups[1].Value.Replace("`", "", StringComparison.Ordinal).Replace("*", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
            anchors.Add(NotInAnchor().Replace(text, "").Replace(' ', '-'));
        }
        return anchors;
    }

    private static string WithoutCode(string markdown) => Fence().Replace(markdown, "");

    [GeneratedRegex("`[^`\n]+`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#+\s+(.*)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\p{Mn}_\- ]")]
    private static partial Regex NotInAnchor();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
