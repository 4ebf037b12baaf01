using Annlsp.Language.Semantics;
using Xunit;

namespace Annlsp.Language.Tests.Graph;

/// <summary>The graph is the network: on every example, its nodes run in order and count what the network counts.</summary>
public sealed class NetworkGraphTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Repo.PathOf("examples"), "*.ann").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_network_is_a_graph_in_execution_order_with_the_networks_counts(string file)
    {
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Repo.PathOf("examples", file)));
        Assert.NotEmpty(analysis.Networks);
        foreach (var network in analysis.Networks.Values.Where(n => n.IsValid))
        {
            var graph = network.Graph;
            Assert.Equal("input", graph.Nodes[0].Kind);
            for (int i = 0; i < graph.Nodes.Count; i++)
            {
                var node = graph.Nodes[i];
                Assert.Equal(i, node.Id);
                Assert.All(node.Inputs, input => Assert.True(input < i, $"{network.Name}: node {node} reads a later node"));
                if (node.Kind is not ("input" or "time")) Assert.StartsWith("layers.", node.Key);
            }
            Assert.Equal(network.Parameters, graph.Nodes.Sum(n => n.Parameters));
            Assert.Equal(network.MultiplyAdds, graph.Nodes.Sum(n => n.MultiplyAdds));
            Assert.Equal(network.Output, graph.OutputNode.Output);
            var keys = graph.Nodes.Select(n => n.Key).Where(k => k != "").ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
        }
    }

    [Fact]
    public void A_residual_is_its_body_and_an_add_of_the_body_and_its_input()
    {
        var analysis = DocumentAnalysis.Analyze("""
            network R {
                input(4x8x8)
                conv(4, kernel: 3, padding: same)
                residual { conv(4, kernel: 3, padding: same) -> relu }
                flatten
            }
            """);
        var graph = analysis.Networks["R"].Graph;
        Assert.Equal(
            ["0 input() → 4×8×8", "1 conv(0) → 4×8×8", "2 conv(1) → 4×8×8", "3 relu(2) → 4×8×8", "4 add(3, 1) → 4×8×8", "5 flatten(4) → 256"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal(["", "layers.0", "layers.1.body.0", "layers.1.body.1", "layers.1", "layers.2"], graph.Nodes.Select(n => n.Key));
    }
}
