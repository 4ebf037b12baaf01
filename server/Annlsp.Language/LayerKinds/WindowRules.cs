using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticCatalog;

namespace Annlsp.Language.LayerKinds;

/// <summary>The sliding-window checks that conv and pool share: one spatial axis, and the rows a stride leaves unread.</summary>
internal static class WindowRules
{
    /// <summary>One spatial axis of a convolution or pooling; reports a window larger than the padded input (ANN3003, ANN3004).</summary>
    public static long? Axis(ShapeRuleContext c, string axis, long size, int k, int s, int p, int d, string windowWord, bool isPool)
    {
        long effective = SlidingWindow.Extent(k, d);
        long padded = size + 2L * p;
        string layerName = c.Name;
        if (padded < effective)
        {
            var fixes = new List<CodeFix>();
            long needed = (effective - size + 1) / 2;
            if (!isPool && c.ArgumentSpan("padding") is null && c.Layer.Arguments is { } list)
            {
                fixes.Add(new CodeFix($"Add padding: {needed}",
                    [new TextEdit(new TextSpan(list.CloseParen.IsMissing ? list.Span.End : list.CloseParen.Span.Start, 0), $", padding: {needed}")]));
            }
            c.Report(WindowTooLarge, c.NameSpan,
                isPool
                    ? $"After this {layerName} the {axis} would be 0 (input {size}, window {effective}{(p > 0 ? $", padding {p}" : "")})"
                    : $"The {windowWord} ({effective}{(d > 1 ? $" with dilation {d}" : "")}) is larger than the padded input {axis} {padded} (input {size}, padding {p})",
                null, [.. fixes]);
            return null;
        }
        long output = SlidingWindow.Output(size, k, s, p, d);
        if (output <= 0)
        {
            c.Report(SizeNotPositive, c.NameSpan, $"After this {layerName} the {axis} would be {output}");
            return null;
        }
        return output;
    }

    /// <summary>ANN5001 when the last windows end before the input does, so its last rows or columns are never read.</summary>
    public static void WarnOnDroppedRows(ShapeRuleContext c, string windowWord, long h, long w, Pair k, Pair s, Pair p, Pair d)
    {
        long dropH = SlidingWindow.DroppedRows(h, k.H, s.H, p.H, d.H), dropW = SlidingWindow.DroppedRows(w, k.W, s.W, p.W, d.W);
        if (dropH == 0 && dropW == 0) return;
        string rows = dropH == 0 ? "" : $"{dropH} row{(dropH == 1 ? "" : "s")}";
        string columns = dropW == 0 ? "" : $"{dropW} column{(dropW == 1 ? "" : "s")}";
        string dropped = dropH != 0 && dropW != 0 ? $"{rows} and {columns}" : rows + columns;
        string padding = p.H == 0 && p.W == 0 ? "" : $", padding {p}";
        string dilation = d.H == 1 && d.W == 1 ? "" : $", dilation {d}";
        c.Report(PoolDropsPixels, c.NameSpan,
            $"This {c.Name} drops the last {dropped} of its {h}×{w} input ({windowWord} {k}, stride {s}{padding}{dilation}); pad the input or change the {windowWord}");
    }
}
