using Annlsp.Language.Semantics;
using static Annlsp.Language.Diagnostics.DiagnosticCatalog;

namespace Annlsp.Language.LayerKinds;

/// <summary>`instancenorm`: each channel of each example normalised over its pixels (nn.InstanceNorm2d, PyTorch's defaults: no affine, no running statistics).</summary>
internal static class InstanceNorm
{
    public static LayerInfo Definition { get; } = new("instancenorm", LayerCategory.Normalization, [],
        "Instance normalisation: each channel of each example normalised over its H×W pixels (eps 1e-5). As PyTorch's default, it learns no scale or shift and keeps no running statistics, so it has no parameters and trains and predicts alike.",
        "unchanged", "nn.InstanceNorm2d")
    {
        Needs = InputKind.Image, Rule = Infer,
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        if (c.Input[1] * c.Input[2] == 1)
        {
            c.Report(TooFewValuesToNormalise, c.NameSpan,
                $"instancenorm normalises each channel over its pixels, but its input {c.Input} has one pixel per channel (PyTorch refuses it); normalise before the image shrinks to 1×1, or use batchnorm");
            return ShapeResult.Unknown;
        }
        return new ShapeResult(c.Input);
    }
}
