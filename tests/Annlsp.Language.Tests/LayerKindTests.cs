using Annlsp.Language.Semantics;

namespace Annlsp.Language.Tests;

/// <summary>What a kind's definition shows besides shapes and counts (those are in the baselines): hover formulas, labels and categories.</summary>
public class LayerKindTests
{
    private static IReadOnlyList<LayerInstance> Layers(string body) =>
        DocumentAnalysis.Analyze($"network N {{\n    input(16x8x8)\n{body}\n}}\n").Networks["N"].Layers;

    [Fact]
    public void A_grouped_conv_shows_its_grouped_parameter_count_and_groups_in_its_label()
    {
        var conv = Layers("    conv(32, kernel: 3, padding: 1, groups: 4)").Single();
        Assert.Equal("H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(8 + 2·1 − 1·(3−1) − 1)/1⌋ + 1 = 8; W' = 8; params = F·(C/g)·kh·kw + F = 32·(16/4)·3·3 + 32 = 1,184", conv.Formula);
        Assert.Equal(1184, conv.Parameters);
        Assert.Equal("conv(32, 3, groups: 4)", conv.Label);
        Assert.Equal("convolution", conv.Category);
    }

    [Fact]
    public void An_ungrouped_conv_keeps_its_formula_and_label()
    {
        var conv = Layers("    conv(6, kernel: 5, padding: same)").Single();
        Assert.Equal("padding: same keeps H×W = 8×8", conv.Formula);
        Assert.Equal("conv(6, 5)", conv.Label);
    }

    [Fact]
    public void Pad_groupnorm_and_instancenorm_show_their_rules()
    {
        var layers = Layers("    pad(1x2) -> groupnorm(4) -> instancenorm -> silu");
        Assert.Equal("H' = H + 2p = 8 + 2·1 = 10, W' = 8 + 2·2 = 12", layers[0].Formula);
        Assert.Equal(("pad(1x2)", "reshaping"), (layers[0].Label, layers[0].Category));
        Assert.Equal("params = 2·16 (scale and shift per channel; 4 groups of 4 channels)", layers[1].Formula);
        Assert.Equal(("groupnorm(4)", "normalization", 32L), (layers[1].Label, layers[1].Category, layers[1].Parameters));
        Assert.Equal((null, "instancenorm", "normalization", 0L), (layers[2].Formula, layers[2].Label, layers[2].Category, layers[2].Parameters));
        Assert.Equal(("silu", "activation"), (layers[3].Label, layers[3].Category));
    }

    [Fact]
    public void A_residual_is_its_own_category()
    {
        var residual = Layers("    residual { conv(16, kernel: 1) }").Single();
        Assert.Equal(("residual", "residual", "output = input + body(input)"), (residual.Label, residual.Category, residual.Formula));
    }
}
