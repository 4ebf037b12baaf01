namespace Annlsp.Language.Semantics;

/// <summary>
/// One spatial axis of a sliding window (conv, pool), as PyTorch computes it (floor mode). The checker infers
/// shapes and reports dropped rows with it; completion asks it which sizes fit an input.
/// </summary>
public static class SlidingWindow
{
    /// <summary>The window's extent on the input: d·(k − 1) + 1.</summary>
    public static long Extent(int kernel, int dilation = 1) => (long)dilation * (kernel - 1) + 1;

    /// <summary>⌊(n + 2p − d(k−1) − 1)/s⌋ + 1; 0 when the window is larger than the padded input.</summary>
    public static long Output(long size, int kernel, int stride, int padding, int dilation = 1)
    {
        long room = size + 2L * padding - Extent(kernel, dilation);
        return room < 0 ? 0 : room / stride + 1;
    }

    /// <summary>
    /// Input rows no window reads. The last window ends r = (n + 2p − extent) mod s rows before the end of the
    /// padded input; the last p of those are padding, so max(0, r − p) are data.
    /// </summary>
    public static long DroppedRows(long size, int kernel, int stride, int padding, int dilation = 1)
    {
        long room = size + 2L * padding - Extent(kernel, dilation);
        return room < 0 ? 0 : Math.Max(0, room % stride - padding);
    }
}
