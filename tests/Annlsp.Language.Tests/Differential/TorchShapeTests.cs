using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Xunit.Abstractions;

namespace Annlsp.Language.Tests.Differential;

/// <summary>
/// Differential test: random valid networks, generated from a seed, are checked by the language core and
/// built with torch.nn by Debian's PyTorch; the checker must agree with PyTorch on every layer's output
/// shape and parameter count, and with the multiply–add formulas for conv, deconv and dense.
/// ANNLSP_DIFF_SEED and ANNLSP_DIFF_COUNT change the seed and the number of networks (default 400).
/// </summary>
public sealed class TorchShapeTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20261128;
    private const int DefaultCount = 400;
    private const int MaxReported = 5;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    [TorchFact]
    public void Checker_agrees_with_PyTorch_on_shapes_parameters_and_multiply_adds()
    {
        int seed = EnvInt("ANNLSP_DIFF_SEED", DefaultSeed);
        int count = EnvInt("ANNLSP_DIFF_COUNT", DefaultCount);
        var clock = Stopwatch.StartNew();

        var generator = new NetworkGenerator(seed);
        var networks = Enumerable.Range(0, count).Select(generator.Generate).ToList();
        var failures = new List<string>();

        // 1. The checker: every generated network is valid, so no errors at all.
        var analyses = new DocumentAnalysis[count];
        for (int i = 0; i < count; i++)
        {
            var net = networks[i];
            var analysis = analyses[i] = DocumentAnalysis.Analyze(net.Text);
            var errors = analysis.Diagnostics.Where(d => d.IsError).ToList();
            if (errors.Count > 0)
                failures.Add(Describe(seed, net, "the checker reports errors on a network PyTorch accepts:\n" +
                    string.Join("\n", errors.Select(e => $"  {analysis.Text.GetPosition(e.Span.Start)} {e.Code}: {e.Message}"))));
            else if (!analysis.Networks.ContainsKey(net.Name))
                failures.Add(Describe(seed, net, $"the checker has no network '{net.Name}'"));
        }
        long checkMs = clock.ElapsedMilliseconds;

        // 2. PyTorch, in one process for all networks.
        string dir = Path.Combine(Path.GetTempPath(), $"annlsp-diff-{System.Environment.ProcessId}-{seed}");
        var (torch, results) = RunTorch(networks, seed, dir);
        long torchMs = clock.ElapsedMilliseconds - checkMs;

        // 3. Compare layer by layer.
        int layersCompared = 0;
        for (int i = 0; i < count; i++)
        {
            var net = networks[i];
            var result = results[net.Index];
            if (result["error"] is JsonNode error)
            {
                failures.Add(Describe(seed, net, $"PyTorch refuses the generated network (a generator bug, or a rule the checker should enforce): {error}"));
                continue;
            }
            if (!analyses[i].Networks.TryGetValue(net.Name, out var model)) continue;
            var problems = new List<string>();
            if (!model.Input.Dims.SequenceEqual(net.Input.Select(d => (long)d)))
                problems.Add($"input: checker {model.Input}, generated {string.Join("×", net.Input)}");
            layersCompared += Compare(model.Layers, result["layers"]!.AsArray(), "", problems);
            long torchTotal = result["layers"]!.AsArray().Sum(l => (long)l!["params"]!);
            if (model.Parameters != torchTotal)
                problems.Add($"network parameters: checker {model.Parameters:N0}, PyTorch {torchTotal:N0}");
            if (!model.IsValid) problems.Add("the checker marks the network as not valid");
            if (problems.Count > 0) failures.Add(Describe(seed, net, string.Join("\n", problems.Select(p => "  " + p))));
        }

        // 4. Coverage: every layer kind and argument of the catalogue, and the forms that matter.
        var missing = RequiredCoverage().Where(tag => !generator.Coverage.Contains(tag)).ToList();

        output.WriteLine($"seed {seed}: {count} networks, {layersCompared} layers compared with PyTorch {torch["torch"]}; " +
                         $"checker {checkMs} ms, PyTorch {torchMs} ms, total {clock.ElapsedMilliseconds} ms");
        if (failures.Count == 0) Directory.Delete(dir, recursive: true);
        else File.WriteAllText(Path.Combine(dir, "failures.txt"), string.Join("\n\n", failures));
        Assert.True(missing.Count == 0, $"seed {seed}: the generated networks never cover {string.Join(", ", missing)}");
        Assert.True(failures.Count == 0,
            $"seed {seed} (rerun with ANNLSP_DIFF_SEED={seed}): {failures.Count} of {count} networks disagree with PyTorch (all in {dir}/failures.txt); the first {Math.Min(MaxReported, failures.Count)}:\n\n"
            + string.Join("\n\n", failures.Take(MaxReported)));
    }

    /// <summary>Writes the networks to one JSON file, runs torch_shapes.py once, returns its answer by network index.</summary>
    private static (JsonNode Torch, Dictionary<int, JsonNode> Results) RunTorch(List<GeneratedNetwork> networks, int seed, string dir)
    {
        var input = new JsonObject
        {
            ["seed"] = seed,
            ["networks"] = new JsonArray(networks.Select(n => (JsonNode)new JsonObject
            {
                ["id"] = n.Index, ["input"] = new JsonArray(n.Input.Select(d => (JsonNode)d).ToArray()), ["layers"] = n.Expanded(),
            }).ToArray()),
        };
        Directory.CreateDirectory(dir);
        string inPath = Path.Combine(dir, "networks.json"), outPath = Path.Combine(dir, "torch.json");
        File.WriteAllText(inPath, input.ToJsonString());
        string script = Path.Combine(AppContext.BaseDirectory, "Differential", "torch_shapes.py");
        Assert.True(File.Exists(script), $"{script} is missing (it is copied to the output folder by the test project)");
        var (code, log) = PythonTorch.Run([script, inPath, outPath], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"torch_shapes.py failed (exit {code}); seed {seed}; input kept at {inPath}\n{log}");
        var torch = JsonNode.Parse(File.ReadAllText(outPath))!;
        return (torch, torch["results"]!.AsArray().ToDictionary(r => (int)r!["id"]!, r => r!));
    }

    /// <summary>
    /// The other direction: networks whose last layer is drawn without the validity filter. Where PyTorch
    /// refuses the network the checker must report an error (on that layer); where PyTorch accepts it the
    /// checker must report none and agree on every shape and count.
    /// </summary>
    [TorchFact]
    public void Checker_reports_an_error_exactly_where_PyTorch_refuses_the_network()
    {
        int seed = EnvInt("ANNLSP_DIFF_SEED", DefaultSeed) + 1;
        int count = Math.Max(100, EnvInt("ANNLSP_DIFF_COUNT", DefaultCount) * 3 / 4);
        var generator = new NetworkGenerator(seed);
        var networks = Enumerable.Range(0, count).Select(generator.GenerateChaotic).ToList();
        string dir = Path.Combine(Path.GetTempPath(), $"annlsp-diff-chaos-{System.Environment.ProcessId}-{seed}");
        var (_, results) = RunTorch(networks, seed, dir);
        var failures = new List<string>();
        int refused = 0;
        foreach (var net in networks)
        {
            var analysis = DocumentAnalysis.Analyze(net.Text);
            var errors = analysis.Diagnostics.Where(d => d.IsError).ToList();
            var result = results[net.Index];
            string? torchError = result["error"]?.GetValue<string>();
            if (torchError is not null)
            {
                refused++;
                if (errors.Count == 0)
                {
                    failures.Add(Describe(seed, net, $"PyTorch refuses the network but the checker reports no error; PyTorch: {torchError}"));
                    continue;
                }
                // The error belongs to the last layer: it starts at or after the last item's text.
                int lastStart = LastItemStart(analysis);
                if (!errors.Any(e => e.Span.Start >= lastStart))
                    failures.Add(Describe(seed, net, $"the checker's errors are not on the last layer (from offset {lastStart}): " +
                        string.Join("; ", errors.Select(e => $"{analysis.Text.GetPosition(e.Span.Start)} {e.Code}: {e.Message}")) + $"; PyTorch: {torchError}"));
            }
            else if (errors.Count > 0)
            {
                failures.Add(Describe(seed, net, "PyTorch accepts the network but the checker reports errors:\n" +
                    string.Join("\n", errors.Select(e => $"  {analysis.Text.GetPosition(e.Span.Start)} {e.Code}: {e.Message}"))));
            }
            else
            {
                var problems = new List<string>();
                Compare(analysis.Networks[net.Name].Layers, result["layers"]!.AsArray(), "", problems);
                if (problems.Count > 0) failures.Add(Describe(seed, net, string.Join("\n", problems.Select(p => "  " + p))));
            }
        }
        output.WriteLine($"seed {seed}: {count} networks with an unfiltered last layer, {refused} refused by PyTorch");
        if (failures.Count == 0) Directory.Delete(dir, recursive: true);
        else File.WriteAllText(Path.Combine(dir, "failures.txt"), string.Join("\n\n", failures));
        Assert.True(refused > count / 10 && refused < count * 9 / 10, $"{refused} of {count} refused: the chaos generator is off balance");
        Assert.True(failures.Count == 0,
            $"seed {seed} (rerun with ANNLSP_DIFF_SEED={seed - 1}): {failures.Count} of {count} networks disagree with PyTorch (all in {dir}/failures.txt); the first {Math.Min(MaxReported, failures.Count)}:\n\n"
            + string.Join("\n\n", failures.Take(MaxReported)));
    }

    private static int LastItemStart(DocumentAnalysis analysis)
    {
        var network = analysis.Root.Declarations.OfType<Syntax.NetworkDeclarationSyntax>().Single();
        var last = network.Body.Layers.Last();
        return last.Span.Start;
    }

    /// <summary>Compares the checker's layers with PyTorch's, recursing into residual bodies; returns the number compared.</summary>
    private static int Compare(IReadOnlyList<LayerInstance> checker, JsonArray torch, string path, List<string> problems)
    {
        if (checker.Count != torch.Count)
        {
            problems.Add($"{(path == "" ? "network" : path)}: the checker has {checker.Count} layers ({string.Join(", ", checker.Select(l => l.Kind))}), " +
                         $"PyTorch {torch.Count} ({string.Join(", ", torch.Select(t => (string)t!["kind"]!))})");
            return 0;
        }
        int compared = 0;
        for (int i = 0; i < checker.Count; i++)
        {
            var c = checker[i];
            var t = torch[i]!;
            string kind = (string)t["kind"]!;
            string at = $"{path}{(path == "" ? "" : "/")}{i} {kind}";
            compared++;
            if (c.Kind != kind) { problems.Add($"layer {at}: the checker has a {c.Kind} here"); continue; }
            var torchOut = t["out"]!.AsArray().Select(x => (long)x!).ToArray();
            if (!c.Output.IsKnown || !c.Output.Dims.SequenceEqual(torchOut))
                problems.Add($"layer {at}: output checker {c.Output}, PyTorch {string.Join("×", torchOut)} (input {c.Input})");
            long torchParams = (long)t["params"]!;
            if (c.Parameters != torchParams)
                problems.Add($"layer {at}: parameters checker {c.Parameters:N0}, PyTorch {torchParams:N0} (input {c.Input})");
            if (t["macs"] is JsonNode macs && c.MultiplyAdds != (long)macs)
                problems.Add($"layer {at}: multiply-adds checker {c.MultiplyAdds:N0}, formula on PyTorch's tensors {(long)macs:N0} (input {c.Input}, output {c.Output})");
            if (kind == "residual")
            {
                compared += Compare(c.Body, t["body"]!.AsArray(), at, problems);
                long bodyMacs = c.Body.Sum(l => l.MultiplyAdds);
                if (c.MultiplyAdds != bodyMacs) problems.Add($"layer {at}: residual multiply-adds {c.MultiplyAdds:N0} ≠ its body's {bodyMacs:N0}");
            }
        }
        return compared;
    }

    private static string Describe(int seed, GeneratedNetwork net, string problem)
    {
        var sb = new StringBuilder();
        sb.Append($"seed {seed}, network #{net.Index} '{net.Name}': {problem}\n");
        sb.Append("----- network text -----\n").Append(net.Text).Append("------------------------");
        return sb.ToString();
    }

    /// <summary>What the generator must have produced for the run to count.</summary>
    internal static IEnumerable<string> RequiredCoverage()
    {
        foreach (var layer in LayerCatalog.All.Where(l => l.Name != "input"))
        {
            yield return "layer:" + layer.Name;
            foreach (var p in layer.Parameters) yield return $"arg:{layer.Name}.{p.Name}";
        }
        string[] forms =
        [
            "conv.kernel=int", "conv.kernel=pair", "conv.stride=int", "conv.stride=pair", "conv.padding=int", "conv.padding=pair",
            "conv.padding=same", "conv.padding=valid", "conv.dilation=int", "conv.dilation=pair", "conv.bias=false",
            "conv.groups", "conv.groups=depthwise", "groupnorm1d", "groupnorm2d", "pad.padding=int", "pad.padding=pair",
            "deconv.output_padding", "deconv.dilation", "deconv.bias=false",
            "pool.kind=max", "pool.kind=avg", "globalpool.kind=avg", "globalpool.kind=max",
            "upsample.mode=nearest", "upsample.mode=bilinear", "upsample.scale=int", "upsample.scale=pair",
            "dense.bias=false", "batchnorm1d", "batchnorm2d", "batchnorm1d-sequence", "reshape=sequence", "input=sequence",
            "residual", "residual.nested", "block", "block.params", "block.nested", "block.reused",
            "product", "positional", "named", "tabs", "crlf",
        ];
        foreach (var f in forms) yield return f;
    }
}
