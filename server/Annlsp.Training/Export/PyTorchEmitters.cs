using System.Globalization;
using Annlsp.Language.Semantics;

namespace Annlsp.Training.Export;

/// <summary>
/// The PyTorch expression of each layer kind of the catalogue (Annlsp.Language's LayerKinds/), keyed by the kind:
/// the module <see cref="PyTorchExporter"/> writes into the exported <c>nn.Sequential</c>, built from the checker's
/// resolved arguments (every default filled in) and the layer's input shape, with the same parameters and
/// state-dict keys as the trainer's module (<c>Model/LayerBuilders.cs</c>).
/// </summary>
public static class PyTorchEmitters
{
    public static IReadOnlyDictionary<string, Func<LayerInstance, string>> ByKind { get; } = new Dictionary<string, Func<LayerInstance, string>>
    {
        ["conv"] = l => $"nn.Conv2d({l.Input[0]}, {I(l.Int("filters"))}, kernel_size={T(l.PairOf("kernel"))}, stride={T(l.PairOf("stride"))}, " +
                        $"padding={(l.Arguments["padding"] is string word ? $"\"{word}\"" : T(l.PairOf("padding")))}, dilation={T(l.PairOf("dilation"))}, " +
                        $"{(l.Int("groups") is var g && g != 1 ? $"groups={I(g)}, " : "")}bias={B(l.Bool("bias"))})",
        ["deconv"] = l => $"nn.ConvTranspose2d({l.Input[0]}, {I(l.Int("filters"))}, kernel_size={T(l.PairOf("kernel"))}, stride={T(l.PairOf("stride"))}, " +
                          $"padding={T(l.PairOf("padding"))}, output_padding={T(l.PairOf("output_padding"))}, dilation={T(l.PairOf("dilation"))}, bias={B(l.Bool("bias"))})",
        ["pool"] = l => $"nn.{(l.Word("kind") == "avg" ? "AvgPool2d" : "MaxPool2d")}(kernel_size={T(l.PairOf("size"))}, stride={T(l.PairOf("stride"))}, padding={T(l.PairOf("padding"))})",
        ["globalpool"] = l => $"GlobalPool(\"{l.Word("kind")}\")",
        ["upsample"] = l => l.PairOf("scale") is var s && l.Word("mode") == "bilinear"
            ? $"nn.Upsample(scale_factor=({F(s.H)}, {F(s.W)}), mode=\"bilinear\", align_corners=False)"
            : $"nn.Upsample(scale_factor=({F(s.H)}, {F(s.W)}), mode=\"nearest\")",
        ["flatten"] = _ => "nn.Flatten()",
        ["reshape"] = l => $"Reshape({string.Join(", ", l.Output.Dims)})",
        ["dense"] = l => $"nn.Linear({l.Input[0]}, {I(l.Int("units"))}, bias={B(l.Bool("bias"))})",
        ["relu"] = _ => "nn.ReLU()",
        ["sigmoid"] = _ => "nn.Sigmoid()",
        ["tanh"] = _ => "nn.Tanh()",
        ["gelu"] = _ => "nn.GELU()",
        ["elu"] = l => $"nn.ELU({F(l.Number("alpha"))})",
        ["leakyrelu"] = l => $"nn.LeakyReLU({F(l.Number("slope"))})",
        ["silu"] = _ => "nn.SiLU()",
        ["relu6"] = _ => "nn.ReLU6()",
        ["softmax"] = _ => "nn.Softmax(dim=1)",
        ["dropout"] = l => $"nn.Dropout({F(l.Number("p"))})",
        ["batchnorm"] = l => $"nn.BatchNorm{(l.Input.IsImage ? "2d" : "1d")}({l.Input[0]}, eps={F(l.Number("eps"))}, momentum={F(l.Number("momentum"))})",
        ["groupnorm"] = l => $"nn.GroupNorm({I(l.Int("groups"))}, {l.Input[0]}, eps={F(l.Number("eps"))})",
        ["instancenorm"] = l => $"nn.InstanceNorm2d({l.Input[0]})",
        ["minibatchstd"] = l => $"MinibatchStd({I(l.Int("group"))})",
        ["pad"] = l => l.PairOf("padding") is var p ? $"nn.ZeroPad2d(({p.W}, {p.W}, {p.H}, {p.H}))" : "",
    };

    /// <summary>A Python float literal: 1.0, 0.01, 1e-05.</summary>
    internal static string F(double d) => d.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains('.') || s.Contains('E') || s.Contains('e')) ? s : s + ".0";
    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);
    private static string T(Pair p) => $"({p.H}, {p.W})";
    private static string B(bool b) => b ? "True" : "False";
}
