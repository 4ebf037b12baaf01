using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Annlsp.Language.Semantics;
using Annlsp.Language.Tests.Differential;

namespace Annlsp.Language.Tests;

/// <summary>
/// The "Adding a layer kind" checklist of docs/architecture.md, enforced: every kind of the catalogue has a section
/// in docs/language.md, a TextMate grammar entry, a colour for its category in the network view, an entry in the
/// differential test's generator and in its PyTorch script. (Its TorchSharp builder and PyTorch emitter are checked
/// by the test of the same name in Annlsp.Training.Tests, the project that knows TorchSharp.)
/// </summary>
public class LayerKindCoverageTests
{
    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (var l in LayerCatalog.All) data.Add(l.Name);
        return data;
    }

    /// <summary>Layer kinds that are only ever a network's first item: the generator writes them itself.</summary>
    private static bool IsInput(string kind) => LayerCatalog.Find(kind)!.Category == LayerCategory.Input;

    private static readonly string LanguageDoc = File.ReadAllText(Repo.PathOf("docs", "language.md"));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Has_a_section_in_the_language_reference(string kind) =>
        Assert.True(Regex.IsMatch(LanguageDoc, $@"^### `{Regex.Escape(kind)}` — ", RegexOptions.Multiline),
            $"docs/language.md has no '### `{kind}` — …' section in its layer catalogue");

    private static readonly Regex GrammarLayers = new(
        JsonNode.Parse(File.ReadAllText(Repo.PathOf("client", "syntaxes", "ann.tmLanguage.json")))!["repository"]!["layer"]!["match"]!.GetValue<string>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Has_a_TextMate_grammar_entry(string kind)
    {
        var match = GrammarLayers.Match(kind + "(");
        Assert.True(match.Success && match.Index == 0 && match.Length == kind.Length,
            $"client/syntaxes/ann.tmLanguage.json: repository.layer.match does not colour '{kind}'");
    }

    /// <summary>The keys of CATEGORY_COLOURS in client/src/network/graph.ts.</summary>
    private static readonly HashSet<string> ColouredCategories = ReadColouredCategories();

    private static HashSet<string> ReadColouredCategories()
    {
        string source = File.ReadAllText(Repo.PathOf("client", "src", "network", "graph.ts"));
        var table = Regex.Match(source, @"CATEGORY_COLOURS[^=]*=\s*\{(?<body>[^}]*)\}");
        Assert.True(table.Success, "client/src/network/graph.ts has no CATEGORY_COLOURS table");
        return Regex.Matches(table.Groups["body"].Value, @"^\s*(\w+):\s*'#[0-9a-fA-F]{6}'", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Has_a_colour_for_its_category_in_the_network_view(string kind)
    {
        var info = LayerCatalog.Find(kind)!;
        Assert.Contains(info.CategoryName, ColouredCategories);
    }

    private static readonly HashSet<string> Generated = GenerateSome();

    private static HashSet<string> GenerateSome()
    {
        var generator = new NetworkGenerator(20261201);
        for (int i = 0; i < 400; i++) generator.Generate(i);
        return generator.Coverage;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_differential_test_generates_it_with_every_argument(string kind)
    {
        if (IsInput(kind)) return;
        Assert.True(Generated.Contains("layer:" + kind), $"NetworkGenerator (tests/Annlsp.Language.Tests/Differential) never generates '{kind}'");
        foreach (var p in LayerCatalog.Find(kind)!.Parameters)
            Assert.True(Generated.Contains($"arg:{kind}.{p.Name}"), $"NetworkGenerator never writes {kind}'s argument '{p.Name}'");
    }

    private static readonly string TorchScript = File.ReadAllText(Repo.PathOf("tests", "Annlsp.Language.Tests", "Differential", "torch_shapes.py"));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_differential_test_builds_it_in_PyTorch(string kind)
    {
        if (IsInput(kind)) return;
        Assert.True(TorchScript.Contains($"k == \"{kind}\"", StringComparison.Ordinal), $"torch_shapes.py does not build '{kind}'");
    }
}
