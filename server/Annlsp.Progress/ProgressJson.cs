using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Annlsp.Progress;

/// <summary>
/// Writes and reads progress events as the protocol's JSON lines. Numbers are rounded to 6 decimals; a value that
/// is not finite is the string "NaN", "Infinity" or "-Infinity". Reading is lenient as the protocol asks: unknown
/// fields are ignored, an unknown kind or a line that is not an event reads as null.
/// </summary>
public static class ProgressJson
{
    /// <summary>Every event kind and its record, in the protocol's order.</summary>
    public static IReadOnlyList<(string Kind, Type Type)> Kinds { get; } =
    [
        ("started", typeof(StartedEvent)), ("reference", typeof(ReferenceEvent)), ("step", typeof(StepEvent)), ("epoch", typeof(EpochEvent)),
        ("sample", typeof(SampleEvent)), ("checkpoint", typeof(CheckpointEvent)), ("finished", typeof(FinishedEvent)), ("failed", typeof(FailedEvent)),
    ];

    public static JsonSerializerOptions Options { get; } = new()
    {
        TypeInfoResolver = ProgressJsonContext.Default,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new WireNumberConverter() },
    };

    /// <summary>The serialisation metadata of an event record (wire names, types): what the TypeScript generator reads too.</summary>
    public static JsonTypeInfo TypeInfo(Type type) => Options.GetTypeInfo(type);

    public static string Write(ProgressEvent e) => JsonSerializer.Serialize(e, TypeInfo(e.GetType()));

    /// <summary>One line as an event; null for a line that is not JSON, not an object, of another protocol version's or an unknown kind.</summary>
    public static ProgressEvent? Read(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return Read(doc.RootElement);
        }
        catch (JsonException) { return null; }
    }

    public static ProgressEvent? Read(JsonElement o)
    {
        if (o.ValueKind != JsonValueKind.Object) return null;
        if (!o.TryGetProperty("event", out var kindElement) || kindElement.ValueKind != JsonValueKind.String) return null;
        if (o.TryGetProperty("v", out var v) && (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != ProgressEvent.ProtocolVersion)) return null;
        var kind = kindElement.GetString();
        foreach (var (k, type) in Kinds)
        {
            if (k != kind) continue;
            try { return (ProgressEvent?)o.Deserialize(TypeInfo(type)); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
        }
        return null;
    }
}

/// <summary>Doubles as the protocol writes them: rounded to 6 decimals, non-finite values as strings.</summary>
internal sealed class WireNumberConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(Math.Round(value, 6));
        else writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>`time`: UTC with milliseconds, <c>2026-11-28T18:09:44.066Z</c>.</summary>
internal sealed class WireTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
}

[JsonSerializable(typeof(StartedEvent))]
[JsonSerializable(typeof(ReferenceEvent))]
[JsonSerializable(typeof(StepEvent))]
[JsonSerializable(typeof(EpochEvent))]
[JsonSerializable(typeof(SampleEvent))]
[JsonSerializable(typeof(CheckpointEvent))]
[JsonSerializable(typeof(FinishedEvent))]
[JsonSerializable(typeof(FailedEvent))]
internal sealed partial class ProgressJsonContext : JsonSerializerContext;
