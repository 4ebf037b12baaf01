using System.Runtime.InteropServices;

namespace Annlsp.Training.Training;

/// <summary>
/// Stops a run whose parent process has died — the language server killed with SIGKILL, say — the way
/// SIGTERM does (the step finishes, a checkpoint and model.pt are written), instead of training on for
/// nobody. It watches only when stdin is a pipe or a socket: that is how the server (and any program that
/// drives `annlsp train`) starts it; from a terminal, `nohup` or a service, a trainer whose shell goes
/// away keeps training as before.
/// <para>
/// The parent is polled (getppid changes when the kernel hands an orphan to a reaper). Neither other
/// signal is used: PR_SET_PDEATHSIG fires when the *thread* that started the child ends — a thread-pool
/// thread of the server, long before the server does — and stdin's end comes also from parents that close
/// it on purpose (CI runners close it at start).
/// </para>
/// </summary>
public sealed class ParentWatch : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly int parent;
    private readonly Action onParentGone;
    private readonly Timer timer;
    private int fired;

    private ParentWatch(int parent, Action onParentGone)
    {
        this.parent = parent;
        this.onParentGone = onParentGone;
        timer = new Timer(_ => Check(), null, Period, Period);
    }

    /// <summary>Starts watching when stdin is a pipe or a socket (Linux); else null.</summary>
    public static ParentWatch? StartIfPiped(Action onParentGone)
    {
        if (!OperatingSystem.IsLinux() || !StdinIsPipe()) return null;
        int parent = GetParentPid();
        return parent > 1 ? new ParentWatch(parent, onParentGone) : null;
    }

    /// <summary>/proc/self/fd/0 reads "pipe:[…]" or "socket:[…]" for a pipe or a socket; a file, /dev/null or a terminal is a path.</summary>
    public static bool StdinIsPipe()
    {
        try { return new FileInfo("/proc/self/fd/0").LinkTarget is { } target && (target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private void Check()
    {
        if (GetParentPid() == parent || Interlocked.Exchange(ref fired, 1) == 1) return;
        timer.Change(Timeout.Infinite, Timeout.Infinite);
        onParentGone();
    }

    public void Dispose() => timer.Dispose();

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();
}
