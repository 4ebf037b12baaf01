using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>
/// Sits between the client's byte stream and StreamJsonRpc. StreamJsonRpc drops the whole connection when a
/// message is not JSON or not JSON-RPC; an editor typo (or a fuzzing test) must not kill the server. This reads
/// the LSP base protocol (Content-Length framing) itself, checks each message with a non-allocating JSON reader,
/// passes good messages through unchanged and replaces a bad one with a request to <see cref="InvalidMessageMethod"/>
/// (id null), which the server answers with the JSON-RPC error the specification asks for (-32700 or -32600).
/// Garbage between frames is skipped until the next header.
/// </summary>
public sealed class FrameSanitizer
{
    public const string InvalidMessageMethod = "$/annlsp/invalidMessage";
    private const int MaxHeaderBytes = 8 * 1024;
    private const long MaxContentLength = 512L * 1024 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Action<string> _log;

    public FrameSanitizer(Stream input, PipeWriter output, Action<string> log)
    {
        _input = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _output = output;
        _log = log;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await ReadOneAsync(cancellationToken).ConfigureAwait(false)) { }
        }
        catch (OperationCanceledException) { }
        catch (IOException e) { _log($"input closed: {e.Message}"); }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> ReadOneAsync(CancellationToken cancellationToken)
    {
        // 1. Headers.
        long contentLength;
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
            {
                var parsed = ParseContentLength(headers);
                if (parsed is null)
                {
                    _log($"ignored a message with no valid Content-Length header: {Truncate(Encoding.UTF8.GetString(headers))}");
                    _input.AdvanceTo(reader.Position);
                    continue;
                }
                contentLength = parsed.Value;
                _input.AdvanceTo(reader.Position);
                break;
            }
            if (result.IsCompleted)
            {
                if (buffer.Length > 0) _log($"input ended inside a header ({buffer.Length} bytes dropped)");
                _input.AdvanceTo(buffer.End);
                return false;
            }
            if (buffer.Length > MaxHeaderBytes)
            {
                // No header terminator in sight: drop garbage up to the next line that could start a header.
                var skip = new SequenceReader<byte>(buffer.Slice(1));
                var next = skip.TryAdvanceTo((byte)'C', advancePastDelimiter: false) ? skip.Position : buffer.End;
                _log("skipped bytes that are not an LSP header");
                _input.AdvanceTo(next);
                continue;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
        }

        // 2. Content.
        ReadResult content;
        while (true)
        {
            content = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (content.Buffer.Length >= contentLength) break;
            if (content.IsCompleted)
            {
                _log($"input ended inside a message ({content.Buffer.Length} of {contentLength} bytes)");
                _input.AdvanceTo(content.Buffer.End);
                return false;
            }
            _input.AdvanceTo(content.Buffer.Start, content.Buffer.End);
        }
        var body = content.Buffer.Slice(0, contentLength);
        var verdict = Classify(body, out string? reason, out string idJson);
        if (verdict == 0)
        {
            WriteFrame(body);
        }
        else
        {
            _log($"answered an invalid message with {verdict}: {reason}");
            var replacement = $"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"{InvalidMessageMethod}\",\"params\":{{\"code\":{verdict},\"message\":{JsonSerializer.Serialize(reason)}}}}}";
            WriteFrame(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(replacement)));
        }
        _input.AdvanceTo(body.End);
        var flush = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return !flush.IsCompleted;
    }

    private void WriteFrame(ReadOnlySequence<byte> body)
    {
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        _output.Write(header);
        foreach (var segment in body) _output.Write(segment.Span);
    }

    private static long? ParseContentLength(ReadOnlySequence<byte> headers)
    {
        var text = Encoding.ASCII.GetString(headers);
        foreach (var line in text.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            if (!line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (long.TryParse(line.AsSpan(colon + 1).Trim(), out var n) && n > 0 && n <= MaxContentLength) return n;
            return null;
        }
        return null;
    }

    /// <summary>0 when the body is a JSON-RPC message; else -32700 (not JSON) or -32600 (JSON, but not a message).</summary>
    internal static int Classify(ReadOnlySequence<byte> body, out string? reason, out string idJson)
    {
        idJson = "null";
        reason = null;
        bool hasMethod = false, hasId = false, hasResultOrError = false, jsonrpc2 = false, methodIsString = true;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                while (reader.Read()) { }
                reason = "a JSON-RPC message must be a JSON object";
                return -32600;
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
                    case "id":
                        if (reader.TokenType == JsonTokenType.Number)
                        {
                            hasId = true;
                            idJson = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                        }
                        else if (reader.TokenType == JsonTokenType.String)
                        {
                            hasId = true;
                            idJson = JsonSerializer.Serialize(reader.GetString());
                        }
                        break;
                    case "result":
                    case "error":
                        hasResultOrError = true;
                        break;
                }
                reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("unexpected content");
            if (reader.Read()) throw new JsonException("content after the message");
        }
        catch (JsonException e)
        {
            idJson = "null";
            reason = $"parse error: {e.Message}";
            return -32700;
        }
        catch (ArgumentException e)
        {
            idJson = "null";
            reason = $"parse error: {e.Message}";
            return -32700;
        }
        if (!jsonrpc2) reason = "\"jsonrpc\": \"2.0\" is missing";
        else if (hasMethod && !methodIsString) reason = "\"method\" must be a string";
        else if (!hasMethod && !(hasId && hasResultOrError)) reason = "neither a request, a notification nor a response";
        if (reason is null) return 0;
        if (hasResultOrError) idJson = "null"; // never answer a response with a response
        return -32600;
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
