using System.Text.Json;
using System.Text.Json.Nodes;

namespace Annlsp.Training.Training;

/// <summary>
/// One progress event (docs/progress-protocol.md): <c>{"v":1,"event":"epoch","time":…, …fields}</c>.
/// Kinds: started, step, epoch, sample, checkpoint, finished, failed.
/// </summary>
public sealed class TrainingEvent
{
    public const int ProtocolVersion = 1;

    public TrainingEvent(string kind, IEnumerable<KeyValuePair<string, object?>> fields)
    {
        Kind = kind;
        Fields = new Dictionary<string, object?>(fields);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    public string Kind { get; }
    public Dictionary<string, object?> Fields { get; }
    public DateTimeOffset Time { get; } = DateTimeOffset.UtcNow;

    public object? this[string key] => Fields.TryGetValue(key, out var v) ? v : null;

    public string ToJson()
    {
        var o = new JsonObject { ["v"] = ProtocolVersion, ["event"] = Kind, ["time"] = Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ") };
        foreach (var (k, v) in Fields) o[k] = ToNode(v);
        return o.ToJsonString(JsonOptions);
    }

    private static JsonNode? ToNode(object? v) => v switch
    {
        null => null,
        double d when double.IsNaN(d) || double.IsInfinity(d) => JsonValue.Create(d.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        double d => JsonValue.Create(Math.Round(d, 6)),
        float f => ToNode((double)f),
        int or long or bool or string => JsonValue.Create(v),
        IReadOnlyDictionary<string, object?> dict => new JsonObject(dict.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IDictionary<string, double> dd => new JsonObject(dd.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        _ => JsonSerializer.SerializeToNode(v),
    };
}

/// <summary>Where the trainer sends its events (the CLI prints them as JSON lines or as a progress bar).</summary>
public interface ITrainingObserver
{
    void OnEvent(TrainingEvent e);
}

public sealed class CollectingObserver : ITrainingObserver
{
    private readonly List<TrainingEvent> events = new();
    public Action<TrainingEvent>? Callback { get; init; }
    public IReadOnlyList<TrainingEvent> Events { get { lock (events) return events.ToList(); } }
    public void OnEvent(TrainingEvent e)
    {
        lock (events) events.Add(e);
        Callback?.Invoke(e);
    }
}
