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

    private static NetworkGraph GraphOf(string text, string network)
    {
        var analysis = DocumentAnalysis.Analyze(text);
        Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
        return analysis.Networks[network].Graph;
    }

    [Fact]
    public void A_concat_reads_the_running_tensor_and_the_named_one()
    {
        var graph = GraphOf("""
            network U {
                input(1x8x8)
                conv(4, kernel: 3, padding: same) as e1
                pool(max, 2) -> upsample(2)
                concat(e1) -> conv(2, kernel: 1)
            }
            """, "U");
        Assert.Equal(
            ["0 input() → 1×8×8", "1 conv(0) → 4×8×8", "2 pool(1) → 4×4×4", "3 upsample(2) → 4×8×8", "4 concat(3, 1) → 8×8×8", "5 conv(4) → 2×8×8"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal("e1", graph.Nodes[1].Name);
        Assert.Equal(["", "layers.0", "layers.1", "layers.2", "layers.3", "layers.4"], graph.Nodes.Select(n => n.Key));
    }

    [Fact]
    public void An_add_with_a_chain_runs_the_chain_from_the_named_tensor_under_the_merges_key()
    {
        var analysis = DocumentAnalysis.Analyze("""
            network A {
                input(3x8x8) as x
                conv(8, kernel: 3, padding: same) -> relu
                add(x -> conv(8, kernel: 1) -> batchnorm)
            }
            """);
        Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
        var network = analysis.Networks["A"];
        var graph = network.Graph;
        Assert.Equal(
            ["0 input() → 3×8×8", "1 conv(0) → 8×8×8", "2 relu(1) → 8×8×8", "3 conv(0) → 8×8×8", "4 batchnorm(3) → 8×8×8", "5 add(2, 4) → 8×8×8"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal(["", "layers.0", "layers.1", "layers.2.branches.0.0", "layers.2.branches.0.1", "layers.2"], graph.Nodes.Select(n => n.Key));
        // The merge's count includes its chain, like a residual's includes its body; nodes count only their own.
        Assert.Equal(3 * 8 * 9 + 8 + 3 * 8 + 8 + 16, network.Parameters);
        Assert.Equal(network.Parameters, graph.Nodes.Sum(n => n.Parameters));
        Assert.Equal(3 * 8 + 8 + 16, network.Layers[2].Parameters);
    }

    [Fact]
    public void A_projection_shortcut_is_a_chain_from_the_residuals_input_added_to_the_body()
    {
        var graph = GraphOf("""
            network R {
                input(4x8x8)
                residual(shortcut: conv(8, kernel: 1, stride: 2) -> batchnorm) {
                    conv(8, kernel: 3, stride: 2, padding: 1) -> relu
                }
                flatten
            }
            """, "R");
        Assert.Equal(
            ["0 input() → 4×8×8", "1 conv(0) → 8×4×4", "2 relu(1) → 8×4×4", "3 conv(0) → 8×4×4", "4 batchnorm(3) → 8×4×4", "5 add(2, 4) → 8×4×4", "6 flatten(5) → 128"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal(["", "layers.0.body.0", "layers.0.body.1", "layers.0.shortcut.0", "layers.0.shortcut.1", "layers.0", "layers.1"], graph.Nodes.Select(n => n.Key));
    }

    [Fact]
    public void A_tensor_passed_to_a_block_is_read_where_the_block_is_expanded_and_a_name_after_a_block_use_names_its_last_layer()
    {
        var graph = GraphOf("""
            block Up(c, skip) { upsample(2) -> conv(c, kernel: 1) -> concat(skip) }
            block Down(c) { conv(c, kernel: 3, stride: 2, padding: 1) -> relu }
            network U {
                input(1x8x8)
                conv(4, kernel: 1) as e1
                Down(8) as e2
                Down(16)
                Up(8, e2)
                Up(4, e1)
            }
            """, "U");
        Assert.Equal(
            ["0 input() → 1×8×8", "1 conv(0) → 4×8×8", "2 conv(1) → 8×4×4", "3 relu(2) → 8×4×4", "4 conv(3) → 16×2×2", "5 relu(4) → 16×2×2",
             "6 upsample(5) → 16×4×4", "7 conv(6) → 8×4×4", "8 concat(7, 3) → 16×4×4", "9 upsample(8) → 16×8×8", "10 conv(9) → 4×8×8", "11 concat(10, 1) → 8×8×8"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal("e2", graph.Nodes[3].Name);
    }

    [Fact]
    public void Names_inside_a_residual_body_are_visible_to_its_later_items_and_merges_nest()
    {
        var graph = GraphOf("""
            network N {
                input(4x8x8) as x
                residual {
                    conv(4, kernel: 1) as inner
                    relu -> add(inner, x)
                }
                concat(x -> conv(2, kernel: 1) -> concat(x))
            }
            """, "N");
        Assert.Equal(
            ["0 input() → 4×8×8", "1 conv(0) → 4×8×8", "2 relu(1) → 4×8×8", "3 add(2, 1, 0) → 4×8×8", "4 add(3, 0) → 4×8×8",
             "5 conv(0) → 2×8×8", "6 concat(5, 0) → 6×8×8", "7 concat(4, 6) → 10×8×8"],
            graph.Nodes.Select(n => n.ToString()));
        Assert.Equal(["", "layers.0.body.0", "layers.0.body.1", "layers.0.body.2", "layers.0", "layers.1.branches.0.0", "layers.1.branches.0.1", "layers.1"],
            graph.Nodes.Select(n => n.Key));
    }

    [Fact]
    public void Time_outside_a_denoiser_is_an_error_and_the_graph_has_no_time_node()
    {
        var analysis = DocumentAnalysis.Analyze("""
            block B(c) { add(time -> dense(c)) }
            network N {
                input(8x4x4)
                B(8)
            }
            """);
        var error = Assert.Single(analysis.Diagnostics, d => d.Code == "ANN2026");
        Assert.Contains("'N' is not the denoiser of any diffusion", error.Message);
        Assert.Null(analysis.Networks["N"].TimeEmbedding);
        Assert.Null(analysis.Networks["N"].Graph.TimeId);
    }
}
