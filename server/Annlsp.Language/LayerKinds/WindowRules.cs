using Annlsp.Language.Semantics;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.LayerKinds;

/// <summary>The sliding-window checks that conv and pool share: one spatial axis, and the rows a stride leaves unread.</summary>
internal static class WindowRules
{
    /// <summary>One spatial axis of a convolution or pooling; reports a window larger than the padded input (ANN3003, ANN3004).</summary>
    public static long? Axis(ShapeRuleContext c, string axis, long size, int k, int s, int p, int d, string windowWord, bool isPool)
    {
        long effective = SlidingWindow.Extent(k, d);
        long padded = size + 2L * p;
        if (padded < effective)
        {
            if (isPool)
            {
                c.Report(PoolWindowTooLarge(c.NameSpan, c.Name, axis, size, effective, p));
                return null;
            }
            TextSpan? addPaddingAt = c.ArgumentSpan("padding") is null && c.Layer.Arguments is { } list
                ? new TextSpan(list.CloseParen.IsMissing ? list.Span.End : list.CloseParen.Span.Start, 0)
                : null;
            c.Report(KernelTooLarge(c.NameSpan, windowWord, axis, size, effective, d, p, padded, addPaddingAt, (effective - size + 1) / 2));
            return null;
        }
        long output = SlidingWindow.Output(size, k, s, p, d);
        if (output <= 0)
        {
            c.Report(SizeNotPositive(c.NameSpan, c.Name, axis, output));
            return null;
        }
        return output;
    }

    /// <summary>ANN5001 when the last windows end before the input does, so its last rows or columns are never read.</summary>
    public static void WarnOnDroppedRows(ShapeRuleContext c, string windowWord, long h, long w, Pair k, Pair s, Pair p, Pair d)
    {
        long dropH = SlidingWindow.DroppedRows(h, k.H, s.H, p.H, d.H), dropW = SlidingWindow.DroppedRows(w, k.W, s.W, p.W, d.W);
        // A window smaller than its stride (ResNet's 1×1 stride-2 shortcut) skips rows all along by design, not only at the end.
        if (d.H * (k.H - 1) + 1 < s.H) dropH = 0;
        if (d.W * (k.W - 1) + 1 < s.W) dropW = 0;
        if (dropH == 0 && dropW == 0) return;
        c.Report(PoolDropsPixels(c.NameSpan, c.Name, dropH, dropW, h, w, windowWord, k, s, p, d));
    }
}
