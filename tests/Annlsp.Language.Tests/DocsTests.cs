using System.Text.RegularExpressions;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;

namespace Annlsp.Language.Tests;

/// <summary>
/// Keeps docs/language.md, the user's reference, in step with the code: every diagnostic code and every
/// built-in layer has its own section, and every data set, optimizer and property is described.
/// </summary>
public class DocsTests
{
    private static readonly string[] Lines = File.ReadAllLines(Repo.PathOf("docs", "language.md"));

    private static IEnumerable<string> Headings(string level) =>
        Lines.Where(l => l.StartsWith(level + " ", StringComparison.Ordinal)).Select(l => l[(level.Length + 1)..].Trim());

    private static readonly string Text = string.Join("\n", Lines);

    public static TheoryData<string> Codes()
    {
        var data = new TheoryData<string>();
        foreach (var d in DiagnosticCatalog.All) data.Add(d.Code);
        return data;
    }

    public static TheoryData<string> Layers()
    {
        var data = new TheoryData<string>();
        foreach (var l in LayerCatalog.All) data.Add(l.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_diagnostic_code_has_a_heading_with_its_title(string code)
    {
        var descriptor = DiagnosticCatalog.All.Single(d => d.Code == code);
        var headings = Headings("###").Where(h => Regex.IsMatch(h, $@"^{code}\b")).ToList();
        Assert.True(headings.Count == 1, $"docs/language.md needs exactly one '### {code} — {descriptor.Title}' heading, found {headings.Count}");
        Assert.Equal($"{code} — {descriptor.Title}", headings[0]);
    }

    [Fact]
    public void Internal_error_has_a_heading() =>
        Assert.Contains(Headings("###"), h => h.StartsWith("ANN9999", StringComparison.Ordinal));

    [Fact]
    public void No_heading_names_a_code_that_does_not_exist()
    {
        var known = DiagnosticCatalog.All.Select(d => d.Code).Append("ANN9999").ToHashSet();
        var documented = Headings("###").Select(h => Regex.Match(h, @"^ANN\d{4}\b")).Where(m => m.Success).Select(m => m.Value);
        Assert.All(documented, code => Assert.Contains(code, known));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_layer_has_a_heading(string layer)
    {
        Assert.Contains(Headings("###"), h => h.StartsWith($"`{layer}`", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_layer_heading_in_the_catalogue_names_a_real_layer()
    {
        var known = LayerCatalog.All.Select(l => l.Name).ToHashSet();
        int start = Array.FindIndex(Lines, l => l.StartsWith("## 4.", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/language.md has no '## 4.' layer catalogue section");
        int end = Array.FindIndex(Lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var layerHeadings = Lines[start..(end < 0 ? Lines.Length : end)]
            .Where(l => l.StartsWith("### ", StringComparison.Ordinal))
            .Select(l => Regex.Match(l[4..], @"^`([a-z_][a-z0-9_]*)`")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(LayerCatalog.All.Count, layerHeadings.Count(known.Contains));
        Assert.All(layerHeadings, name => Assert.True(known.Contains(name) || name == "residual", $"'### `{name}`' is not a built-in layer"));
    }

    /// <summary>The lines under a '### ' heading, up to the next '### ' or '## ' heading.</summary>
    private static string Section(Func<string, bool> heading)
    {
        int start = Array.FindIndex(Lines, l => l.StartsWith("### ", StringComparison.Ordinal) && heading(l[4..].Trim()));
        if (start < 0) return "";
        int end = Array.FindIndex(Lines, start + 1, l => l.StartsWith("### ", StringComparison.Ordinal) || l.StartsWith("## ", StringComparison.Ordinal));
        return string.Join("\n", Lines[start..(end < 0 ? Lines.Length : end)]);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_layer_section_names_its_arguments_and_pytorch_module(string name)
    {
        var layer = LayerCatalog.Find(name)!;
        string section = Section(h => h.StartsWith($"`{name}`", StringComparison.Ordinal));
        foreach (var p in layer.Parameters)
            Assert.True(section.Contains($"`{p.Name}`", StringComparison.Ordinal), $"{name}: argument '{p.Name}' is not described in its section");
        foreach (var module in layer.PyTorch.Split('/', '+').Select(m => m.Trim()).Where(m => m.StartsWith("nn.", StringComparison.Ordinal)))
            Assert.True(section.Contains(module, StringComparison.Ordinal), $"{name}: PyTorch module '{module}' is not named in its section");
    }

    [Fact]
    public void Every_data_set_optimizer_and_property_is_described()
    {
        foreach (var d in TrainingCatalog.DataSets)
        {
            Assert.True(Text.Contains($"`{d.Name}", StringComparison.Ordinal), $"data set {d.Name}");
            foreach (var p in d.Parameters) Assert.True(Text.Contains($"`{p.Name}`", StringComparison.Ordinal), $"data set {d.Name}: argument {p.Name}");
        }
        foreach (var o in TrainingCatalog.Optimizers)
        {
            Assert.True(Text.Contains($"`{o.Name}", StringComparison.Ordinal), $"optimizer {o.Name}");
            foreach (var p in o.Parameters) Assert.True(Text.Contains($"`{p.Name}`", StringComparison.Ordinal), $"optimizer {o.Name}: argument {p.Name}");
        }
        foreach (var p in TrainingCatalog.TrainProperties.Concat(TrainingCatalog.GanProperties))
            Assert.True(Text.Contains($"`{p.Name}`", StringComparison.Ordinal), $"property {p.Name}");
        foreach (var name in TrainingCatalog.FashionClasses.Concat(TrainingCatalog.CifarClasses).Concat(TrainingCatalog.ShapeClasses))
            Assert.True(Text.Contains(name, StringComparison.Ordinal), $"class name {name}");
    }

    [Fact]
    public void Every_mistake_example_is_linked()
    {
        foreach (var file in Directory.GetFiles(Repo.PathOf("examples", "mistakes"), "*.ann"))
        {
            string name = Path.GetFileName(file);
            Assert.True(Text.Contains(name, StringComparison.Ordinal), $"examples/mistakes/{name} is not mentioned");
        }
    }
}
