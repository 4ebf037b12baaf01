using Annlsp.Language.Semantics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>
/// The TorchSharp module of each layer kind of the catalogue (Annlsp.Language's LayerKinds/), keyed by the kind.
/// A builder reads the checker's resolved arguments (every default already filled in) and its input shape; it
/// never computes a shape: <see cref="ModelBuilder.VerifyShapes"/> compares what the module produces with the checker's.
/// </summary>
public static class LayerBuilders
{
    public static IReadOnlyDictionary<string, Func<LayerInstance, nn.Module<Tensor, Tensor>>> ByKind { get; } =
        new Dictionary<string, Func<LayerInstance, nn.Module<Tensor, Tensor>>>
        {
            ["conv"] = Conv,
            ["deconv"] = l => nn.ConvTranspose2d(l.Input[0], l.Int("filters"), P(l.PairOf("kernel")), P(l.PairOf("stride")), P(l.PairOf("padding")),
                P(l.PairOf("output_padding")), P(l.PairOf("dilation")), bias: l.Bool("bias")),
            ["pool"] = l => l.Word("kind") == "avg"
                ? nn.AvgPool2d(P(l.PairOf("size")), P(l.PairOf("stride")), P(l.PairOf("padding")))
                : nn.MaxPool2d(P(l.PairOf("size")), P(l.PairOf("stride")), P(l.PairOf("padding"))),
            ["globalpool"] = l => new GlobalPool(l.Word("kind") == "max"),
            ["upsample"] = Upsample,
            ["flatten"] = _ => nn.Flatten(),
            ["reshape"] = l => new Reshape(l.Output.Dims.ToArray()),
            ["dense"] = l => nn.Linear(l.Input[0], l.Int("units"), hasBias: l.Bool("bias")),
            ["relu"] = _ => nn.ReLU(),
            ["sigmoid"] = _ => nn.Sigmoid(),
            ["tanh"] = _ => nn.Tanh(),
            ["gelu"] = _ => nn.GELU(),
            ["elu"] = l => nn.ELU(l.Number("alpha")),
            ["leakyrelu"] = l => nn.LeakyReLU(l.Number("slope")),
            ["silu"] = _ => nn.SiLU(),
            ["relu6"] = _ => nn.ReLU6(),
            ["softmax"] = _ => nn.Softmax(1),
            ["dropout"] = l => nn.Dropout(l.Number("p")),
            ["batchnorm"] = l => l.Input.IsImage
                ? nn.BatchNorm2d(l.Input[0], l.Number("eps"), l.Number("momentum"))
                : nn.BatchNorm1d(l.Input[0], l.Number("eps"), l.Number("momentum")),
            ["groupnorm"] = GroupNorm,
            ["instancenorm"] = l => nn.InstanceNorm2d(l.Input[0]),
            ["minibatchstd"] = l => new MinibatchStd(l.Int("group")),
            ["pad"] = l => l.PairOf("padding") is var p ? nn.ZeroPad2d((p.W, p.W, p.H, p.H)) : throw new InvalidOperationException(),
        };

    private static (long, long) P(Pair p) => (p.H, p.W);

    private static nn.Module<Tensor, Tensor> Conv(LayerInstance l)
    {
        long channels = l.Input[0];
        int filters = l.Int("filters");
        var (kernel, stride, dilation) = (P(l.PairOf("kernel")), P(l.PairOf("stride")), P(l.PairOf("dilation")));
        bool bias = l.Bool("bias");
        int groups = l.Int("groups");
        return l.Arguments["padding"] is "same"
            ? nn.Conv2d(channels, filters, kernel, Padding.Same, stride, dilation, groups: groups, bias: bias)
            : nn.Conv2d(channels, filters, kernel, stride, P(l.PairOf("padding")), dilation, groups: groups, bias: bias);
    }

    private static nn.Module<Tensor, Tensor> GroupNorm(LayerInstance l)
    {
        var norm = nn.GroupNorm(l.Int("groups"), l.Input[0], l.Number("eps"));
        // TorchSharp 0.107 leaves the scale and shift uninitialised (NaN at times); PyTorch starts them at 1 and 0.
        using (no_grad())
        {
            norm.weight!.fill_(1);
            norm.bias!.zero_();
        }
        return norm;
    }

    private static nn.Module<Tensor, Tensor> Upsample(LayerInstance l)
    {
        var scale = l.PairOf("scale");
        var mode = l.Word("mode") == "bilinear" ? UpsampleMode.Bilinear : UpsampleMode.Nearest;
        return nn.Upsample(scale_factor: [scale.H, scale.W], mode: mode, align_corners: mode == UpsampleMode.Bilinear ? false : null);
    }
}
