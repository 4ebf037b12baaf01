using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Annlsp.Server.Transport;

/// <summary>
/// ANNLSP_TIMING=1: one stderr line per step of startup and of each message, for finding where the time goes
/// (`Annlsp.Server.Bench startup|latency --trace`). A line is <c>[annlsp timing] TICKS CPU_MS STEP</c>: TICKS is
/// the monotonic clock <see cref="Stopwatch"/> reads (nanoseconds on Linux), so a client on the same machine lines
/// the steps up with its own clock; CPU_MS is the process's CPU time so far (user + system), which a loaded machine
/// does not inflate. Off, each step costs one branch: an interpolated step goes through <see cref="StepText"/>,
/// which neither evaluates its holes nor formats anything then.
/// </summary>
public static class TimingTrace
{
    public const string Variable = "ANNLSP_TIMING";
    public const string Prefix = "[annlsp timing] ";

    public static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    public static void Mark(string step)
    {
        if (!Enabled) return;
        Write(step);
    }

    public static void Mark(ref StepText step)
    {
        if (!Enabled) return;
        Write(step.ToStringAndClear());
    }

    private static void Write(string step)
    {
        long ticks = Stopwatch.GetTimestamp();
        double cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ticks} {cpu:F3} {step}"));
    }

    /// <summary>Builds a step's text only while tracing is on (the compiler skips the holes when told not to append).</summary>
    [InterpolatedStringHandler]
    public ref struct StepText
    {
        private DefaultInterpolatedStringHandler _text;

        public StepText(int literalLength, int formattedCount, out bool append)
        {
            append = Enabled;
            _text = append ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);
        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);
        public string ToStringAndClear() => _text.ToStringAndClear();
    }
}
