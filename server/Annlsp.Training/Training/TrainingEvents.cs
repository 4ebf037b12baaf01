using Annlsp.Progress;

namespace Annlsp.Training.Training;

/// <summary>Where the trainer sends its events (docs/progress-protocol.md; the CLI prints them as JSON lines or as a progress bar).</summary>
public interface ITrainingObserver
{
    void OnEvent(ProgressEvent e);
}

public sealed class CollectingObserver : ITrainingObserver
{
    private readonly List<ProgressEvent> events = new();
    public Action<ProgressEvent>? Callback { get; init; }
    public IReadOnlyList<ProgressEvent> Events { get { lock (events) return events.ToList(); } }
    public void OnEvent(ProgressEvent e)
    {
        lock (events) events.Add(e);
        Callback?.Invoke(e);
    }
}
