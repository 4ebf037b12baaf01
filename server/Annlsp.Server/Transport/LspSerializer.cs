using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Annlsp.Server.Protocol;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;
using StreamJsonRpc;
using Stj = System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>The one place that decides how LSP messages look on the wire: camelCase, nulls omitted, URIs as keys kept as they are.</summary>
public static class LspSerializer
{
    public static void Configure(JsonSerializer serializer)
    {
        serializer.ContractResolver = new DefaultContractResolver
        {
            NamingStrategy = new CamelCaseNamingStrategy { ProcessDictionaryKeys = false, OverrideSpecifiedNames = false },
        };
        serializer.NullValueHandling = NullValueHandling.Ignore;
        serializer.MissingMemberHandling = MissingMemberHandling.Ignore;
        serializer.DateParseHandling = DateParseHandling.None;
        serializer.MaxDepth = 256;
    }

    public static JsonMessageFormatter CreateFormatter()
    {
        var formatter = new JsonMessageFormatter();
        Configure(formatter.JsonSerializer);
        return formatter;
    }

    /// <summary>
    /// What to hand StreamJsonRpc for a result or a notification's params. The messages every start and every
    /// keystroke sends (the initialize result, publishDiagnostics, logMessage) are written by System.Text.Json's
    /// source-generated code and passed on as a JObject (StreamJsonRpc takes a notification's params only as an
    /// object; a JToken it writes as it is): Newtonsoft builds a type's contract from reflection on first use, which
    /// under Native AOT cost 25 ms of CPU for initialize's capabilities alone. The wire format is the same
    /// (<see cref="PrecompiledMessages"/>); anything else goes to Newtonsoft as before.
    /// </summary>
    public static object? ForWire(object? value) => value switch
    {
        InitializeResult v => Raw(v, PrecompiledMessages.Wire.InitializeResult),
        PublishDiagnosticsParams v => Raw(v, PrecompiledMessages.Wire.PublishDiagnosticsParams),
        LogMessageParams v => Raw(v, PrecompiledMessages.Wire.LogMessageParams),
        _ => value,
    };

    private static JObject Raw<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JObject.Parse(Stj.JsonSerializer.Serialize(value, type));
}

/// <summary>
/// The precompiled writers behind <see cref="LspSerializer.ForWire"/>, with the same rules as <see cref="LspSerializer.Configure"/>:
/// camelCase names, null members omitted, text escaped no more than JSON needs (Newtonsoft writes `&lt;`, `'` and
/// non-ASCII letters as they are). LspSerializerTests checks that both serializers write the same JSON for these types.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(PublishDiagnosticsParams))]
[JsonSerializable(typeof(LogMessageParams))]
internal sealed partial class PrecompiledMessages : JsonSerializerContext
{
    public static readonly PrecompiledMessages Wire = new(new Stj.JsonSerializerOptions
    {
        PropertyNamingPolicy = Stj.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
