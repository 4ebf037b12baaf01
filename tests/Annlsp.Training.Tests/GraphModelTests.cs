using System.Text;
using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using TorchSharp;
using static Annlsp.Training.Tests.Nets;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>The module that runs a network's graph: keys, joins, time, verification, checkpoints.</summary>
public class GraphModelTests
{
    private static LayerInstance Conv(Shape input, Shape output, int filters, int kernel, int stride = 1, int padding = 0, bool bias = true) =>
        L("conv", input, output, ("filters", filters), ("kernel", new Pair(kernel, kernel)), ("stride", new Pair(stride, stride)),
            ("padding", new Pair(padding, padding)), ("dilation", new Pair(1, 1)), ("bias", bias));

    /// <summary>
    /// input 4×8×8 → conv (e1) → residual(shortcut: conv 1×1 stride 2) { conv stride 2 → batchnorm } → relu → upsample →
    /// concat(e1 -> conv 1×1) → add(time -> dense(24)) → concat(e1, e1 -> relu) → conv(4): every join the graph has.
    /// <paramref name="concatOutput"/> lets a test give the checker's shape wrong.
    /// </summary>
    internal static NetworkModel Denoiser(long concatOutput = 24)
    {
        var e1 = Conv(S(4, 8, 8), S(8, 8, 8), 8, 3, padding: 1);
        var residual = new LayerInstance
        {
            Kind = "residual", Input = S(8, 8, 8), Output = S(16, 4, 4), Arguments = new Dictionary<string, object>(),
            Body = [Conv(S(8, 8, 8), S(16, 4, 4), 16, 3, stride: 2, padding: 1, bias: false), L("batchnorm", S(16, 4, 4), S(16, 4, 4), ("momentum", 0.1), ("eps", 1e-5))],
            Shortcut = [Conv(S(8, 8, 8), S(16, 4, 4), 16, 1, stride: 2)],
        };
        var fromE1 = new TensorSource(TensorSourceKind.Layer, e1, "e1", S(8, 8, 8), default);
        var time = new TensorSource(TensorSourceKind.Time, null, "time", S(6), default);
        LayerInstance Merge(string kind, Shape input, Shape output, params MergeBranch[] branches) =>
            new() { Kind = kind, Input = input, Output = output, Arguments = new Dictionary<string, object>(), Branches = branches };
        return new NetworkModel
        {
            Name = "Graph", Input = S(4, 8, 8), IsValid = true, TimeEmbedding = 6,
            Layers =
            [
                e1,
                residual,
                L("relu", S(16, 4, 4), S(16, 4, 4)),
                L("upsample", S(16, 4, 4), S(16, 8, 8), ("scale", new Pair(2, 2)), ("mode", "nearest")),
                Merge("concat", S(16, 8, 8), S(concatOutput, 8, 8), new MergeBranch(fromE1, [Conv(S(8, 8, 8), S(8, 8, 8), 8, 1)], default)),
                Merge("add", S(24, 8, 8), S(24, 8, 8), new MergeBranch(time, [L("dense", S(6), S(24), ("units", 24), ("bias", true))], default)),
                Merge("concat", S(24, 8, 8), S(40, 8, 8), new MergeBranch(fromE1, [], default), new MergeBranch(fromE1, [L("relu", S(8, 8, 8), S(8, 8, 8))], default)),
                Conv(S(40, 8, 8), S(4, 8, 8), 4, 1),
            ],
        };
    }

    [Fact]
    public void State_dict_keys_are_the_graph_nodes_keys_plus_the_parameter()
    {
        using var model = ModelBuilder.Build(Denoiser());
        Assert.Equal(new[]
        {
            "layers.0.weight", "layers.0.bias",
            "layers.1.body.0.weight",
            "layers.1.body.1.weight", "layers.1.body.1.bias", "layers.1.body.1.running_mean", "layers.1.body.1.running_var", "layers.1.body.1.num_batches_tracked",
            "layers.1.shortcut.0.weight", "layers.1.shortcut.0.bias",
            "layers.4.branches.0.0.weight", "layers.4.branches.0.0.bias",
            "layers.5.branches.0.0.weight", "layers.5.branches.0.0.bias",
            "layers.7.weight", "layers.7.bias",
        }.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.True(model.UsesTime);
    }

    [Fact]
    public void Forward_computes_each_join_as_written_from_the_modules_at_their_keys()
    {
        using var model = ModelBuilder.Build(Denoiser());
        model.eval();
        var m = model.named_modules().Where(p => p.module is nn.Module<Tensor, Tensor>).ToDictionary(p => p.name, p => (nn.Module<Tensor, Tensor>)p.module);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = randn(3, 4, 8, 8);
        var time = randn(3, 6);
        var e1 = m["layers.0"].forward(x);
        var h = m["layers.1.body.1"].forward(m["layers.1.body.0"].forward(e1)) + m["layers.1.shortcut.0"].forward(e1);
        h = m["layers.3"].forward(m["layers.2"].forward(h));
        h = cat([h, m["layers.4.branches.0.0"].forward(e1)], 1);
        h = h + m["layers.5.branches.0.0"].forward(time).view(3, 24, 1, 1);
        h = cat([h, e1, e1.relu()], 1);
        var expected = m["layers.7"].forward(h);
        var got = model.forward(x, time);
        Assert.Equal(expected.shape, got.shape);
        Assert.Equal(0f, (got - expected).abs().max().item<float>());
        var e = Assert.Throws<TrainingException>(() => model.forward(x));
        Assert.Contains("forward(x, time)", e.Message);
    }

    [Fact]
    public void Stack_networks_keep_their_keys_and_a_trailing_softmax_stays_aside()
    {
        using var model = ModelBuilder.Build(LeNet());
        Assert.False(model.UsesTime);
        using var x = rand(2, 1, 28, 28);
        model.eval();
        using var _ = no_grad();
        using var features = model.Penultimate(x);
        Assert.Equal([2L, 84L], features.shape);
        using var logits = model.Head.forward(features);
        using var direct = model.forward(x);
        Assert.True(logits.allclose(direct));
    }

    [Fact]
    public void A_wrong_checker_shape_at_a_merge_is_an_internal_error_naming_the_node()
    {
        var e = Assert.Throws<ModelShapeMismatchException>(() => ModelBuilder.Build(Denoiser(concatOutput: 23)));
        Assert.Contains("Graph layer 5 (concat", e.Message);
        Assert.Contains("24×8×8", e.Message);
        Assert.Contains("23×8×8", e.Message);
    }

    [Fact]
    public void The_exported_module_and_the_trainers_agree_both_ways_on_a_graph_with_every_join()
    {
        var dir = TestSetup.TempDir("export-graph");
        var result = Assert.Single(ExportCheck.Compare([Denoiser()], dir));
        Assert.True(result.SameShape && result.MaxDiff <= 1e-5, $"TorchSharp → PyTorch: {result}");
        Assert.True(result.BackSameShape && result.BackMaxDiff <= 1e-5, $"PyTorch → TorchSharp: {result}");
        var py = File.ReadAllText(Path.Combine(dir, "Graph.py"));
        Assert.Contains("def forward(self, x, time):", py);
        Assert.Contains("self.layers[1].shortcut[0](", py);
        Assert.Contains("self.layers[4].branches[0][0](", py);
        Assert.Contains("[:, :, None, None]", py);
    }

    [Fact]
    public void A_checkpoint_is_stamped_with_its_format_and_one_without_a_format_still_loads()
    {
        var dir = TestSetup.TempDir("checkpoint-format");
        using var model = ModelBuilder.Build(LeNet(4));
        var current = Path.Combine(dir, "current.safetensors");
        RunFolder.SaveCheckpoint(current, model.state_dict().Select(p => ("model." + p.Key, p.Value)), new JsonObject { ["epoch"] = 1 });
        var (saved, meta) = RunFolder.LoadCheckpoint(current);
        Assert.Equal(RunFolder.CheckpointFormat, (int)meta["format"]!);
        foreach (var t in saved.Values) t.Dispose();

        // format 1, as annlsp wrote it before graphs: no "format" entry, the same keys
        var old = Path.Combine(dir, "format1.safetensors");
        var dict = model.state_dict().ToDictionary(p => "model." + p.Key, p => p.Value.detach().clone());
        dict["meta"] = tensor(Encoding.UTF8.GetBytes("""{"target":"LeNet5","epoch":1}"""));
        TorchSharp.PyBridge.Safetensors.SaveStateDict(old, dict);
        var (state, oldMeta) = RunFolder.LoadCheckpoint(old);
        Assert.Null(oldMeta["format"]);
        using var fresh = ModelBuilder.Build(LeNet(4));
        fresh.load_state_dict(state.Where(p => p.Key.StartsWith("model.")).ToDictionary(p => p.Key["model.".Length..], p => p.Value));
        Assert.True(fresh.state_dict()["layers.11.weight"].equal(model.state_dict()["layers.11.weight"]).all().item<bool>());
    }

    [Fact]
    public void A_checkpoint_of_a_newer_format_is_refused_naming_the_file_and_both_versions()
    {
        var dir = TestSetup.TempDir("checkpoint-future");
        var path = Path.Combine(dir, "checkpoint.safetensors");
        TorchSharp.PyBridge.Safetensors.SaveStateDict(path, new Dictionary<string, Tensor>
        {
            ["model.layers.0.weight"] = zeros(2),
            ["meta"] = tensor(Encoding.UTF8.GetBytes("""{"format":99}""")),
        });
        var e = Assert.Throws<TrainingException>(() => RunFolder.LoadCheckpoint(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("format 99", e.Message);
        Assert.Contains($"formats 1 to {RunFolder.CheckpointFormat}", e.Message);
    }
}
