using Annlsp.Language.Semantics;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

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
            c.Report(OnePixelPerChannel(c.NameSpan, c.Input));
            return ShapeResult.Unknown;
        }
        return new ShapeResult(c.Input);
    }
}
