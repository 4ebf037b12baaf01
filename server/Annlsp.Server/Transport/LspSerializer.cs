using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using StreamJsonRpc;

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
}
