using System.Diagnostics;
using System.Globalization;

namespace Annlsp.Server.Transport;

/// <summary>
/// ANNLSP_TIMING=1: one stderr line per step of startup and of each message, for finding where the time goes
/// (`Annlsp.Server.Bench startup|latency --trace`). A line is <c>[annlsp timing] TICKS CPU_MS STEP</c>: TICKS is
/// the monotonic clock <see cref="Stopwatch"/> reads (nanoseconds on Linux), so a client on the same machine lines
/// the steps up with its own clock; CPU_MS is the process's CPU time so far (user + system), which a loaded machine
/// does not inflate. Off, each step costs one branch.
/// </summary>
public static class TimingTrace
{
    public const string Variable = "ANNLSP_TIMING";
    public const string Prefix = "[annlsp timing] ";

    public static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    public static void Mark(string step)
    {
        if (!Enabled) return;
        long ticks = Stopwatch.GetTimestamp();
        double cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ticks} {cpu:F3} {step}"));
    }
}
