using System.Runtime.InteropServices;

namespace Annlsp.Training.Training;

/// <summary>
/// SIGTERM and SIGINT (Ctrl+C) request a stop: training ends after the current step and writes a final
/// checkpoint. A second signal gets the default handling (the process ends at once).
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cts = new();
    private readonly PosixSignalRegistration term, intr;
    private readonly Action? onFirstSignal;

    public StopSignals(Action? onFirstSignal = null)
    {
        this.onFirstSignal = onFirstSignal;
        term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    public CancellationToken Token => cts.Token;

    private void Handle(PosixSignalContext context)
    {
        if (cts.IsCancellationRequested) return;
        context.Cancel = true;
        onFirstSignal?.Invoke();
        cts.Cancel();
    }

    /// <summary>A stop asked for without a signal (the parent process died): the same as the first SIGTERM.</summary>
    public void Request()
    {
        if (cts.IsCancellationRequested) return;
        onFirstSignal?.Invoke();
        cts.Cancel();
    }

    public void Dispose()
    {
        term.Dispose();
        intr.Dispose();
        cts.Dispose();
    }
}
