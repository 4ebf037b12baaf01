using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;

namespace Annlsp.Language.Tests.Properties;

/// <summary>
/// The window arithmetic against a direct simulation: lay the windows over the padded input one by one and
/// see which rows they reach. ANN5001 is reported exactly when the simulation leaves trailing data rows unread.
/// </summary>
public sealed class SlidingWindowTests
{
    /// <summary>Windows start at 0, s, 2s, … while they fit in the padded input; data rows are p … p + n − 1.</summary>
    private static (long Windows, long UnreadDataRows) Simulate(int n, int k, int s, int p, int d)
    {
        long extent = (long)d * (k - 1) + 1, windows = 0, lastRead = -1;
        for (long start = 0; start + extent <= n + 2L * p; start += s)
        {
            windows++;
            lastRead = start + extent - 1;
        }
        long lastData = p + n - 1L;
        return (windows, windows == 0 ? 0 : Math.Max(0, lastData - lastRead));
    }

    [Fact]
    public void Output_and_dropped_rows_match_the_simulation()
    {
        for (int n = 1; n <= 24; n++)
        for (int k = 1; k <= 6; k++)
        for (int s = 1; s <= 4; s++)
        for (int p = 0; p <= 3; p++)
        for (int d = 1; d <= 2; d++)
        {
            var (windows, unread) = Simulate(n, k, s, p, d);
            Assert.True(windows == SlidingWindow.Output(n, k, s, p, d), $"output n={n} k={k} s={s} p={p} d={d}");
            Assert.True(unread == SlidingWindow.DroppedRows(n, k, s, p, d), $"dropped n={n} k={k} s={s} p={p} d={d}: simulated {unread}");
        }
    }

    [Theory]
    [InlineData(4, 3, 2, 1)]    // the reported false positive: nothing dropped
    [InlineData(112, 3, 2, 1)]  // ResNet's stem pool
    [InlineData(7, 2, 2, 0)]    // one row and one column dropped
    [InlineData(6, 3, 3, 1)]    // r = 2, p = 1: one row, not two
    [InlineData(14, 4, 4, 0)]   // two rows
    public void Pool_warns_exactly_when_the_simulation_leaves_rows_unread(int n, int k, int s, int p)
    {
        var analysis = DocumentAnalysis.Analyze($"network N {{\n    input(1x{n}x{n})\n    pool(max, {k}, stride: {s}, padding: {p})\n}}\n");
        long unread = Simulate(n, k, s, p, 1).UnreadDataRows;
        var warning = analysis.Diagnostics.SingleOrDefault(x => x.Descriptor == DiagnosticCatalog.PoolDropsPixels);
        if (unread == 0) Assert.Null(warning);
        else Assert.Contains($"drops the last {unread} row{(unread == 1 ? "" : "s")} and {unread} column", warning!.Message);
    }

    [Theory]
    [InlineData(28, 3, 2, 0, 1)]  // conv 3, stride 2 on 28: one row and one column never read
    [InlineData(28, 3, 2, 1, 0)]  // with padding 1: nothing
    [InlineData(224, 7, 2, 3, 0)] // ResNet's stem conv: nothing
    [InlineData(224, 11, 4, 2, 0)] // AlexNet's first conv: nothing
    public void Strided_conv_warns_by_the_same_rule(int n, int k, int s, int p, int unread)
    {
        var analysis = DocumentAnalysis.Analyze($"network N {{\n    input(3x{n}x{n})\n    conv(8, kernel: {k}, stride: {s}, padding: {p})\n}}\n");
        Assert.Equal(unread, Simulate(n, k, s, p, 1).UnreadDataRows);
        var warning = analysis.Diagnostics.SingleOrDefault(x => x.Descriptor == DiagnosticCatalog.PoolDropsPixels);
        if (unread == 0) Assert.Null(warning);
        else Assert.StartsWith($"This conv drops the last {unread} row", warning!.Message);
    }
}
