using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Xunit.Abstractions;

namespace Annlsp.Language.Tests.Differential;

/// <summary>
/// Differential test of graphs: random valid networks that use names, concat and add (of names and of chains),
/// residual with and without shortcuts, blocks with tensor arguments and grouped convolutions
/// (<see cref="GraphGenerator"/>), checked by the language core and run as a program of operations by Debian's
/// PyTorch. Every node of the checker's <see cref="NetworkGraph"/> must agree with PyTorch's operation in the
/// same place on its output shape, parameters and multiply-adds, and the network's totals on the sums.
/// ANNLSP_DIFF_SEED and ANNLSP_DIFF_GRAPHS change the seed and the number of networks (default 300).
/// </summary>
public sealed class GraphShapeTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20261201;
    private const int DefaultCount = 300;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    [TorchFact]
    public void Checkers_graph_agrees_with_PyTorch_node_by_node_on_random_graph_networks()
    {
        int seed = EnvInt("ANNLSP_DIFF_SEED", DefaultSeed);
        int count = EnvInt("ANNLSP_DIFF_GRAPHS", DefaultCount);
        var clock = Stopwatch.StartNew();
        var generator = new GraphGenerator(seed);
        var networks = Enumerable.Range(0, count).Select(generator.Generate).ToList();

        var dir = Path.Combine(Path.GetTempPath(), $"annlsp-diff-graph-{System.Environment.ProcessId}-{seed}");
        Directory.CreateDirectory(dir);
        var input = new JsonObject
        {
            ["networks"] = new JsonArray(networks.Select(n => (JsonNode)new JsonObject
            {
                ["id"] = n.Index, ["input"] = new JsonArray(n.Input.Select(d => (JsonNode)d).ToArray()), ["program"] = n.Program.DeepClone(),
            }).ToArray()),
        };
        string inPath = Path.Combine(dir, "graphs.json"), outPath = Path.Combine(dir, "torch.json");
        File.WriteAllText(inPath, input.ToJsonString());
        var (code, log) = PythonTorch.Run([Path.Combine(AppContext.BaseDirectory, "Differential", "torch_shapes.py"), inPath, outPath], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"torch_shapes.py failed (exit {code}); input kept at {inPath}\n{log}");
        var results = JsonNode.Parse(File.ReadAllText(outPath))!["results"]!.AsArray().ToDictionary(r => (int)r!["id"]!, r => r!);

        var failures = new List<string>();
        int nodesCompared = 0, merges = 0;
        foreach (var net in networks)
        {
            var analysis = DocumentAnalysis.Analyze(net.Text);
            var errors = analysis.Diagnostics.Where(d => d.IsError).ToList();
            var result = results[net.Index];
            if (result["error"] is JsonNode error) { failures.Add(Describe(net, $"PyTorch refuses the generated program (a generator bug): {error}")); continue; }
            if (errors.Count > 0)
            {
                failures.Add(Describe(net, "the checker reports errors on a network PyTorch runs:\n" +
                    string.Join("\n", errors.Select(e => $"  {analysis.Text.GetPosition(e.Span.Start)} {e.Code}: {e.Message}"))));
                continue;
            }
            var model = analysis.Networks[net.Name];
            var nodes = model.Graph.Nodes.Skip(1).ToList();
            var torch = result["nodes"]!.AsArray();
            var problems = new List<string>();
            if (nodes.Count != torch.Count)
                problems.Add($"the checker's graph has {nodes.Count} nodes ({string.Join(", ", nodes.Select(n => n.Kind))}), the program {torch.Count} ({string.Join(", ", torch.Select(t => (string)t!["kind"]!))})");
            else
                for (int i = 0; i < nodes.Count; i++)
                {
                    var (c, t) = (nodes[i], torch[i]!);
                    string at = $"node {c.Id} {c.Kind} ({c.Key})";
                    nodesCompared++;
                    if (c.Kind is "add" or "concat") merges++;
                    if (c.Kind != (string)t["kind"]!) { problems.Add($"{at}: the program has a {(string)t["kind"]!} here"); continue; }
                    var dims = t["out"]!.AsArray().Select(d => (long)d!).ToArray();
                    if (!c.Output.IsKnown || !c.Output.Dims.SequenceEqual(dims)) problems.Add($"{at}: output checker {c.Output}, PyTorch {string.Join("×", dims)}");
                    if (c.Parameters != (long)t["params"]!) problems.Add($"{at}: parameters checker {c.Parameters:N0}, PyTorch {(long)t["params"]!:N0}");
                    if (t["macs"] is JsonNode macs && c.MultiplyAdds != (long)macs) problems.Add($"{at}: multiply-adds checker {c.MultiplyAdds:N0}, PyTorch's tensors {(long)macs:N0}");
                    var inputs = c.Inputs.Select(x => model.Graph.Nodes[x].Output).ToList();
                    if (c.Kind == "concat" && c.Output[0] != inputs.Sum(s => s[0])) problems.Add($"{at}: concat of {string.Join(", ", inputs)} gives {c.Output}");
                }
            long torchParams = torch.Sum(t => (long)t!["params"]!);
            if (model.Parameters != torchParams) problems.Add($"network parameters: checker {model.Parameters:N0}, PyTorch {torchParams:N0}");
            if (model.Parameters != nodes.Sum(n => n.Parameters)) problems.Add($"network parameters {model.Parameters:N0} ≠ the sum over its graph's nodes {nodes.Sum(n => n.Parameters):N0}");
            if (model.MultiplyAdds != nodes.Sum(n => n.MultiplyAdds)) problems.Add($"network multiply-adds {model.MultiplyAdds:N0} ≠ the sum over its graph's nodes {nodes.Sum(n => n.MultiplyAdds):N0}");
            if (problems.Count > 0) failures.Add(Describe(net, string.Join("\n", problems.Select(p => "  " + p))));
        }
        var covered = networks.SelectMany(n => n.Forms).ToHashSet();
        var missing = GraphGenerator.RequiredForms.Where(f => !covered.Contains(f)).ToList();
        output.WriteLine($"seed {seed}: {count} graph networks, {nodesCompared} nodes ({merges} merges and joins) compared with PyTorch in {clock.ElapsedMilliseconds} ms");
        if (failures.Count == 0) Directory.Delete(dir, recursive: true);
        else File.WriteAllText(Path.Combine(dir, "failures.txt"), string.Join("\n\n", failures));
        Assert.True(missing.Count == 0, $"seed {seed}: the generated graphs never cover {string.Join(", ", missing)}");
        Assert.True(failures.Count == 0,
            $"seed {seed} (rerun with ANNLSP_DIFF_SEED={seed}): {failures.Count} of {count} graphs disagree (all in {dir}/failures.txt); the first 3:\n\n" +
            string.Join("\n\n", failures.Take(3)));
    }

    private static string Describe(GeneratedGraph net, string problem) =>
        $"network #{net.Index} '{net.Name}': {problem}\n----- network text -----\n{net.Text}------------------------";
}
