using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using TorchSharp;
using static Annlsp.Training.Tests.Nets;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

public class ModelBuilderTests
{
    [Fact]
    public void LeNet_builds_with_PyTorch_parameter_count_and_drops_the_trailing_softmax()
    {
        var net = LeNet();
        using var model = ModelBuilder.Build(net);
        Assert.Equal("softmax", model.TrailingActivation);
        Assert.Equal(61706L, model.parameters().Sum(p => p.numel())); // PyTorch LeNet-5 (padding 2): 61,706
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "layers.7.weight", "layers.7.bias", "layers.9.weight", "layers.9.bias", "layers.11.weight", "layers.11.bias"],
            model.state_dict().Keys.ToArray());
        using var x = rand(3, 1, 28, 28);
        using var p = model.Predict(x);
        Assert.Equal([3L, 10L], p.shape);
        Assert.True(p.sum(1).allclose(ones(3), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Generator_and_discriminator_build_and_verify()
    {
        using var g = ModelBuilder.Build(Generator());
        using var d = ModelBuilder.Build(Discriminator());
        Assert.Null(g.TrailingActivation); // tanh stays
        Assert.Equal("sigmoid", d.TrailingActivation);
        g.eval(); d.eval();
        using var z = randn(2, 32);
        using var img = g.forward(z);
        Assert.Equal([2L, 1L, 28L, 28L], img.shape);
        using var logit = d.forward(img);
        Assert.Equal([2L, 1L], logit.shape);
    }

    [Fact]
    public void A_wrong_checker_shape_is_an_internal_error_naming_the_layer()
    {
        var bad = Network("Bad", S(1, 28, 28),
            L("conv", S(1, 28, 28), S(6, 26, 26), ("filters", 6), ("kernel", new Pair(5, 5)), ("stride", new Pair(1, 1)), ("padding", new Pair(0, 0)), ("dilation", new Pair(1, 1)), ("bias", true)));
        var e = Assert.Throws<ModelShapeMismatchException>(() => ModelBuilder.Build(bad));
        Assert.Contains("layer 1 (conv", e.Message);
        Assert.Contains("6×24×24", e.Message);
        Assert.Contains("6×26×26", e.Message);
    }

    [Fact]
    public void Groupnorm_starts_as_PyTorchs_with_scale_1_and_shift_0()
    {
        var net = Network("G", S(8, 4, 4), L("groupnorm", S(8, 4, 4), S(8, 4, 4), ("groups", 2)));
        using var model = ModelBuilder.Build(net);
        var state = model.state_dict();
        Assert.Equal(["layers.0.weight", "layers.0.bias"], state.Keys.ToArray());
        Assert.True(state["layers.0.weight"].equal(ones(8)).all().item<bool>());
        Assert.True(state["layers.0.bias"].equal(zeros(8)).all().item<bool>());
    }

    [Fact]
    public void Minibatchstd_appends_each_groups_standard_deviation_as_a_channel()
    {
        var net = Network("M", S(2, 3, 3), L("minibatchstd", S(2, 3, 3), S(3, 3, 3), ("group", 2)));
        using var model = ModelBuilder.Build(net);
        // batch 4, groups of 2: example i is in group i mod 2, so {0, 2} (both all 0: std 0) and {1, 3} (all 1 and all 3: std 1)
        using var x = stack([zeros(2, 3, 3), ones(2, 3, 3), zeros(2, 3, 3), full([2, 3, 3], 3f)]);
        using var y = model.forward(x);
        Assert.Equal([4L, 3, 3, 3], y.shape);
        Assert.True(y.narrow(1, 0, 2).equal(x).all().item<bool>(), "the input channels pass through unchanged");
        var added = y.select(1, 2).mean([1, 2]).data<float>().ToArray();
        Assert.Equal(1e-4, added[0], 6); // sqrt(0 + 1e-8)
        Assert.Equal(1.0, added[1], 4);
        Assert.Equal(1e-4, added[2], 6);
        Assert.Equal(1.0, added[3], 4);
        // one example alone: nothing to compare it with
        using var one = model.forward(x.narrow(0, 1, 1));
        Assert.Equal(1e-4, one.select(1, 2).max().item<float>(), 6);
    }

    [Theory]
    [InlineData(32, 4, 4)]
    [InlineData(6, 4, 3)]
    [InlineData(5, 4, 1)]
    [InlineData(3, 4, 3)]
    [InlineData(1, 4, 1)]
    public void Minibatchstd_uses_the_largest_group_that_divides_the_batch(long batch, int group, long expected) =>
        Assert.Equal(expected, MinibatchStd.GroupSize(batch, group));

    [Fact]
    public void Every_layer_kind_builds_including_residual_same_padding_upsample_globalpool_and_dropout()
    {
        var body = new[]
        {
            L("conv", S(8, 14, 14), S(8, 14, 14), ("filters", 8), ("kernel", new Pair(3, 3)), ("stride", new Pair(1, 1)), ("padding", "same"), ("dilation", new Pair(1, 1)), ("bias", false)),
            L("batchnorm", S(8, 14, 14), S(8, 14, 14), ("momentum", 0.1), ("eps", 1e-5)),
            L("gelu", S(8, 14, 14), S(8, 14, 14)),
        };
        var net = Network("All", S(3, 28, 28),
            L("conv", S(3, 28, 28), S(8, 28, 28), ("filters", 8), ("kernel", new Pair(3, 3)), ("stride", new Pair(1, 1)), ("padding", "same"), ("dilation", new Pair(1, 1)), ("bias", true)),
            L("pool", S(8, 28, 28), S(8, 14, 14), ("kind", "avg"), ("size", new Pair(2, 2)), ("stride", new Pair(2, 2)), ("padding", new Pair(0, 0))),
            new LayerInstance { Kind = "residual", Input = S(8, 14, 14), Output = S(8, 14, 14), Arguments = new Dictionary<string, object>(), Body = body },
            L("upsample", S(8, 14, 14), S(8, 28, 28), ("scale", new Pair(2, 2)), ("mode", "bilinear")),
            L("conv", S(8, 28, 28), S(4, 24, 24), ("filters", 4), ("kernel", new Pair(3, 3)), ("stride", new Pair(1, 1)), ("padding", new Pair(0, 0)), ("dilation", new Pair(2, 2)), ("bias", true)),
            L("sigmoid", S(4, 24, 24), S(4, 24, 24)),
            L("elu", S(4, 24, 24), S(4, 24, 24), ("alpha", 0.5)),
            L("dropout", S(4, 24, 24), S(4, 24, 24), ("p", 0.25)),
            L("globalpool", S(4, 24, 24), S(4), ("kind", "max")),
            L("batchnorm", S(4), S(4), ("momentum", 0.1), ("eps", 1e-5)),
            L("dense", S(4), S(6), ("units", 6), ("bias", true)),
            L("leakyrelu", S(6), S(6), ("slope", 0.1)),
            L("reshape", S(6), S(1, 2, 3), ("shape", S(1, 2, 3))),
            L("deconv", S(1, 2, 3), S(2, 4, 6), ("filters", 2), ("kernel", new Pair(3, 3)), ("stride", new Pair(2, 2)), ("padding", new Pair(1, 1)), ("output_padding", new Pair(1, 1)), ("bias", true)),
            L("tanh", S(2, 4, 6), S(2, 4, 6)),
            L("flatten", S(2, 4, 6), S(48)),
            L("softmax", S(48), S(48)));
        using var model = ModelBuilder.Build(net);
        Assert.Equal("softmax", model.TrailingActivation);
    }
}
