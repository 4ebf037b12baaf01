using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;
using static Annlsp.Language.LayerKinds.Param;

namespace Annlsp.Language.LayerKinds;

/// <summary>`groupnorm(groups, eps)`: normalises groups of channels of each example (nn.GroupNorm); independent of the batch.</summary>
internal static class GroupNorm
{
    public static LayerInfo Definition { get; } = new("groupnorm", LayerCategory.Normalization,
        [
            P("groups", ParameterType.Int, null, "Number of groups the channels are split into; must divide the channels.", min: 1),
            P("eps", ParameterType.Number, 1e-5, "Added to the variance for stability.", min: 0, minExclusive: true),
        ],
        "Group normalisation: each example's channels in groups, normalised over the group's channels and pixels, then scaled and shifted per channel. Unlike batchnorm it does not depend on the batch.",
        "unchanged", "nn.GroupNorm")
    {
        Rule = Infer,
        FormulaRule = static (input, _, args) => $"params = 2·{input[0]} (scale and shift per channel; {args["groups"]} groups of {input[0] / (int)args["groups"]} channels)",
        LabelRule = static args => $"groupnorm({args["groups"]})",
    };

    private static ShapeResult Infer(ShapeRuleContext c)
    {
        int groups = c.Int("groups");
        long channels = c.Input[0];
        if (channels % groups != 0)
        {
            // The fix only for a number written here: a block's parameter has other uses it would change.
            var written = c.WrittenValue("groups", 0);
            c.Report(GroupNormGroupsDoNotDivide(written?.Span ?? c.NameSpan, groups, c.Input, LargestDivisorUpTo(channels, groups),
                written is LiteralExpressionSyntax ? written.Span : null));
            return ShapeResult.Unknown;
        }
        return new ShapeResult(c.Input, Counts.Multiply(2, channels), 0);
    }

    private static long LargestDivisorUpTo(long n, long limit)
    {
        for (long d = Math.Min(n, limit); d > 1; d--) if (n % d == 0) return d;
        return 1;
    }
}
