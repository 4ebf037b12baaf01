using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Language.Tests.Differential;

namespace Annlsp.Training.Tests;

/// <summary>
/// The trainer's module and the exported PyTorch module, given the same weights (both ways) and the same
/// input, agree within 1e-5 on every network of the examples and the design's snippets, and on 50 random
/// graph networks (names, concat/add with chains, shortcuts, blocks with tensor arguments, groups).
/// One python process per test.
/// </summary>
public class GraphExportTests
{
    private const double Tolerance = 1e-5;

    private static void AssertAgree(IReadOnlyList<NetworkModel> networks, IReadOnlyList<ExportComparison> results, Func<string, string> describe)
    {
        Assert.Equal(networks.Count, results.Count);
        var bad = results.Where(r => !(r.SameShape && r.MaxDiff <= Tolerance && r.BackSameShape && r.BackMaxDiff <= Tolerance)).ToList();
        Assert.True(bad.Count == 0, string.Join("\n\n", bad.Take(3).Select(r => $"{r} (TorchSharp → PyTorch max |Δ| {r.MaxDiff:G3}, PyTorch → TorchSharp {r.BackMaxDiff:G3})\n{describe(r.Name)}")));
    }

    [Fact]
    public void Every_example_network_and_design_snippet_agrees_with_its_export()
    {
        var root = TestSetup.RepoRoot();
        var files = Directory.GetFiles(Path.Combine(root, "examples"), "*.ann").Append(Path.Combine(root, "tests", "cases", "graph-design.ann")).OrderBy(f => f);
        var networks = new List<NetworkModel>();
        foreach (var file in files)
        {
            var analysis = DocumentAnalysis.Analyze(File.ReadAllText(file));
            Assert.False(analysis.HasErrors, $"{file}: {string.Join("; ", analysis.Diagnostics.Where(d => d.IsError).Select(d => d.Message))}");
            networks.AddRange(analysis.Networks.Values.Where(n => networks.All(m => m.Name != n.Name)));
        }
        Assert.Contains(networks, n => n.Graph.Nodes.Any(g => g.Kind == "concat"));
        var dir = TestSetup.TempDir("export-examples");
        AssertAgree(networks, ExportCheck.Compare(networks, dir), name => name);
        // named tensors are local variables of forward
        var encoder = File.ReadAllText(Path.Combine(dir, "Encoder.py"));
        Assert.Contains("e1 = self.layers[0:2](x)", encoder);
        Assert.Contains("torch.cat([x, e1], 1)", encoder);
    }

    [Fact]
    public void Fifty_random_graph_networks_agree_with_their_exports()
    {
        var generator = new GraphGenerator(20261202);
        var generated = Enumerable.Range(0, 50).Select(generator.Generate).ToList();
        var networks = generated.Select(g =>
        {
            var analysis = DocumentAnalysis.Analyze(g.Text);
            Assert.False(analysis.HasErrors, g.Text);
            return analysis.Networks[g.Name];
        }).ToList();
        Assert.Contains(networks, n => n.Graph.Nodes.Any(g => g.Kind == "concat"));
        Assert.Contains(networks, n => n.Graph.Nodes.Any(g => g.Layer?.Shortcut.Count > 0));
        AssertAgree(networks, ExportCheck.Compare(networks, TestSetup.TempDir("export-random")), name => generated.Single(g => g.Name == name).Text);
    }
}
