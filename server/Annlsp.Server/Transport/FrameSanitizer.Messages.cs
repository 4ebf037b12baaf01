using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>What a message is: passed on, answered with a JSON-RPC error, or dropped.</summary>
public sealed partial class FrameSanitizer
{
    internal enum VerdictKind { Forward, Answer, Drop }

    /// <summary>What to do with a message: pass it on, answer it with <see cref="Code"/> (id <see cref="IdJson"/>), or log and drop it.</summary>
    internal readonly record struct Verdict(VerdictKind Kind, int Code = 0, string? Reason = null, string IdJson = "null")
    {
        public static readonly Verdict Pass = new(VerdictKind.Forward);
    }

    private enum IdKind { None, Valid, Invalid }

    /// <summary>
    /// Checks a message the way StreamJsonRpc will read it: -32700 when it is not JSON; -32600 when it is not a
    /// JSON-RPC request/notification/response, or a request's id is not a string or a (64-bit) integer; a response
    /// whose id or error object StreamJsonRpc cannot read is dropped.
    /// </summary>
    internal static Verdict Classify(ReadOnlySequence<byte> body)
    {
        string idJson = "null";
        var id = IdKind.None;
        string? idProblem = null;
        string? errorProblem = null;
        bool hasMethod = false, hasResult = false, hasError = false, jsonrpc2 = false, methodIsString = true, paramsOk = true;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                while (reader.Read()) { }
                return new Verdict(VerdictKind.Answer, -32600, "a JSON-RPC message must be a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "jsonrpc":
                        jsonrpc2 = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
                        break;
                    case "method":
                        hasMethod = true;
                        methodIsString = reader.TokenType == JsonTokenType.String;
                        break;
                    case "params":
                        paramsOk = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.Null;
                        break;
                    case "id":
                        (id, idJson, idProblem) = ReadId(ref reader);
                        break;
                    case "result":
                        hasResult = true;
                        break;
                    case "error":
                        hasError = true;
                        errorProblem = CheckError(ref reader);
                        break;
                }
                reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("unexpected content");
            if (reader.Read()) throw new JsonException("content after the message");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return new Verdict(VerdictKind.Answer, -32700, $"parse error: {e.Message}");
        }

        if (!hasMethod && (hasResult || hasError))
        {
            // A response: never answered, whatever is wrong with it.
            string? problem =
                !jsonrpc2 ? "\"jsonrpc\": \"2.0\" is missing" :
                id != IdKind.Valid ? idProblem ?? "it has no id" :
                hasResult && hasError ? "it has both a result and an error" :
                errorProblem;
            return problem is null ? Verdict.Pass : new Verdict(VerdictKind.Drop, Reason: $"{problem}: {Truncate(Encoding.UTF8.GetString(body.Length > 200 ? body.Slice(0, 200).ToArray() : body.ToArray()))}");
        }
        string? reason =
            !jsonrpc2 ? "\"jsonrpc\": \"2.0\" is missing" :
            hasMethod && !methodIsString ? "\"method\" must be a string" :
            !hasMethod ? "neither a request, a notification nor a response" :
            id == IdKind.Invalid ? idProblem :
            !paramsOk ? "\"params\" must be an object or an array" :
            null;
        if (reason is null) return Verdict.Pass;
        return new Verdict(VerdictKind.Answer, -32600, reason, id == IdKind.Valid ? idJson : "null");
    }

    /// <summary>LSP ids are integers or strings; StreamJsonRpc holds integers as 64-bit.</summary>
    private static (IdKind, string, string?) ReadId(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return (IdKind.Valid, JsonSerializer.Serialize(reader.GetString()), null);
            case JsonTokenType.Number when reader.TryGetInt64(out long n):
                return (IdKind.Valid, n.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
            case JsonTokenType.Number:
                var raw = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                return (IdKind.Invalid, "null", $"the id {Truncate(raw)} is not a string or an integer (−2⁶³ … 2⁶³−1)");
            default:
                return (IdKind.Invalid, "null", $"the id must be a string or an integer, not {reader.TokenType.ToString().ToLowerInvariant()}");
        }
    }

    /// <summary>A response's error must be {code: integer, message: string, data?}; null when it is.</summary>
    private static string? CheckError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return "its error is not an object";
        bool code = false, message = false;
        var copy = reader;
        int depth = copy.CurrentDepth;
        while (copy.Read() && !(copy.TokenType == JsonTokenType.EndObject && copy.CurrentDepth == depth))
        {
            if (copy.TokenType != JsonTokenType.PropertyName || copy.CurrentDepth != depth + 1) continue;
            string name = copy.GetString()!;
            copy.Read();
            if (name == "code") code = copy.TokenType == JsonTokenType.Number && copy.TryGetInt32(out _);
            else if (name == "message") message = copy.TokenType == JsonTokenType.String;
            copy.Skip();
        }
        return code && message ? null : "its error needs an integer code and a string message";
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
