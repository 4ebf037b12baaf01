using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>
/// Sits between the client's byte stream and StreamJsonRpc. StreamJsonRpc drops the whole connection when a
/// message is not JSON, not JSON-RPC or has an id it cannot represent, and stops answering for good after one
/// frame with a wrong Content-Length; an editor bug (or a fuzzing test) must not kill or mute the server. This
/// reads the LSP base protocol (Content-Length framing) itself and passes good messages through unchanged.
/// <list type="bullet">
/// <item>A bad message is replaced with a request to <see cref="InvalidMessageMethod"/>, which the server answers
/// with the JSON-RPC error the specification asks for (-32700 not JSON, -32600 not a request, or an id that is
/// neither a string nor an integer; id null unless the request's id was usable). A malformed response is logged
/// and dropped: a response is never answered.</item>
/// <item>Each frame's Content-Length is checked against the JSON value it frames. When the header is missing,
/// not a number, out of range or a few bytes off (a client counting UTF-16 units), the JSON value's own extent
/// decides where the message ends, provided what follows it is the next header; the frame is logged once.</item>
/// <item>Anything between frames that is not a header is skipped up to the next `Content-…` header and logged
/// once. Header lines may end in CRLF or a bare LF.</item>
/// </list>
/// </summary>
public sealed class FrameSanitizer
{
    public const string InvalidMessageMethod = "$/annlsp/invalidMessage";
    private const int MaxHeaderBytes = 8 * 1024;
    internal const long MaxContentLength = 512L * 1024 * 1024;
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    /// <summary>How long a frame whose declared length ends inside its JSON value waits for the rest of the value
    /// (a client that counted UTF-16 units sent it in the same write) before it is answered as cut short (-32700).</summary>
    internal static readonly TimeSpan ShortFrameGrace = TimeSpan.FromSeconds(1);

    private readonly Stream _stream;
    private readonly Pipe _received = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Action<string> _log;
    /// <summary>Set after a bad frame was logged: the bytes skipped while finding the next header belong to it.</summary>
    private bool _resynchronising;

    public FrameSanitizer(Stream input, PipeWriter output, Action<string> log)
    {
        // Bytes are pumped from the stream into a pipe of our own, so that a read can be given up after a grace
        // period (CancelPendingRead) whatever the stream does with cancellation.
        _stream = input;
        _input = _received.Reader;
        _output = output;
        _log = log;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => PumpAsync(cancellationToken), CancellationToken.None);
        try
        {
            while (await ReadOneAsync(cancellationToken).ConfigureAwait(false)) { }
        }
        catch (OperationCanceledException) { }
        catch (IOException e) { _log($"input closed: {e.Message}"); }
        catch (Exception e) { _log($"input failed: {e}"); }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var writer = _received.Writer;
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(writer.GetMemory(64 * 1024), cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                writer.Advance(n);
                if ((await writer.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted) return;
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A closed or failed input ends the session the same way: the reader sees the end (or the IOException).
            await writer.CompleteAsync(e is OperationCanceledException or ObjectDisposedException ? null : e).ConfigureAwait(false);
        }
    }

    /// <summary>A read that comes back with IsCanceled (and no new bytes) when nothing arrives within <paramref name="grace"/>.</summary>
    private async ValueTask<ReadResult> ReadWithGraceAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        using var timer = new Timer(_ => _input.CancelPendingRead(), null, grace, Timeout.InfiniteTimeSpan);
        return await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ReadOneAsync(CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        if (header is null) return false;
        return await ReadContentAsync(header.Value, cancellationToken).ConfigureAwait(false);
    }

    // ---- Headers ------------------------------------------------------------------------------------------

    /// <summary>What a header block said: the declared length (null when missing or unusable) and what was wrong with it.</summary>
    private readonly record struct Header(long? ContentLength, string? Problem);

    private async Task<Header?> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        long skipped = 0;
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var outcome = ParseHeader(buffer, out var consumed, out var header, out long garbage);
            if (outcome == HeaderOutcome.Found)
            {
                _input.AdvanceTo(consumed);
                if (skipped > 0 && !_resynchronising)
                {
                    // One log line per bad frame: skipped bytes before a bad header are told with it.
                    if (header.Problem is null) _log($"skipped {skipped} bytes that are not an LSP frame");
                    else header = header with { Problem = $"{skipped} bytes before it are not an LSP frame; {header.Problem}" };
                }
                _resynchronising = false;
                return header;
            }
            if (outcome == HeaderOutcome.Garbage)
            {
                skipped += garbage;
                _input.AdvanceTo(consumed);
                continue;
            }
            // Need more bytes (whitespace before the header is consumed; it is harmless).
            if (result.IsCompleted)
            {
                var rest = buffer.Slice(consumed);
                if (rest.Length + skipped > 0 && !_resynchronising) _log($"input ended inside a header ({rest.Length + skipped} bytes dropped)");
                _input.AdvanceTo(buffer.End);
                return null;
            }
            _input.AdvanceTo(consumed, buffer.End);
        }
    }

    private enum HeaderOutcome { NeedMore, Garbage, Found }

    /// <summary>
    /// A header block at the start of the buffer (after blank space): lines `Name: value` ended by CRLF or LF, then
    /// an empty line. <paramref name="consumed"/> is where the content starts (Found), where the next possible header
    /// starts (Garbage, <paramref name="garbage"/> bytes skipped) or the first byte still needed (NeedMore).
    /// </summary>
    private static HeaderOutcome ParseHeader(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out Header header, out long garbage)
    {
        header = default;
        garbage = 0;
        var reader = new SequenceReader<byte>(buffer);
        reader.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
        consumed = reader.Position;
        var start = reader.Position;
        long startOffset = reader.Consumed;
        long? length = null;
        string? lengthProblem = null;
        string? blockProblem = null;
        int fields = 0;
        while (true)
        {
            var lineStart = reader.Position;
            if (!reader.TryReadTo(out ReadOnlySequence<byte> lineBytes, (byte)'\n'))
            {
                var partial = buffer.Slice(lineStart);
                bool couldBeField = CouldBeHeaderField(partial);
                if (reader.Consumed - startOffset + partial.Length > MaxHeaderBytes || (!couldBeField && fields == 0))
                    return SkipGarbage(buffer, start, out consumed, out garbage);
                if (!couldBeField && !partial.IsEmpty)
                {
                    // Content without the blank line that should end the headers.
                    blockProblem = "no blank line after the headers";
                    consumed = lineStart;
                    break;
                }
                return HeaderOutcome.NeedMore;
            }
            if (reader.Consumed - startOffset > MaxHeaderBytes) return SkipGarbage(buffer, start, out consumed, out garbage);
            var line = Encoding.Latin1.GetString(lineBytes).TrimEnd('\r');
            if (line.Length == 0)
            {
                if (fields == 0) return SkipGarbage(buffer, start, out consumed, out garbage);
                consumed = reader.Position;
                break;
            }
            int colon = line.IndexOf(':');
            if (fields == 0 && colon > 0 && line.AsSpan(1, colon - 1).Contains("content-", StringComparison.OrdinalIgnoreCase)
                && !IsKnownHeader(line.AsSpan(0, colon)))
            {
                // `xyzContent-Length: 5`: the rest of an earlier frame stuck to the next header.
                return SkipGarbage(buffer, start, out consumed, out garbage);
            }
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
            {
                if (fields == 0) return SkipGarbage(buffer, start, out consumed, out garbage);
                blockProblem = "no blank line after the headers";
                consumed = lineStart;
                break;
            }
            fields++;
            if (line.AsSpan(0, colon).Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && length is null && lengthProblem is null)
            {
                var value = line.AsSpan(colon + 1).Trim(" \t");
                if (TryParseLength(value, out long n)) length = n;
                else lengthProblem = $"Content-Length '{Truncate(value.ToString())}' is not a length from 1 to {MaxContentLength}";
            }
        }
        if (length is null && lengthProblem is null) lengthProblem = "no Content-Length header";
        header = new Header(length, lengthProblem ?? blockProblem);
        return HeaderOutcome.Found;
    }

    private static bool TryParseLength(ReadOnlySpan<char> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 12) return false;
        foreach (char c in value)
        {
            if (c is < '0' or > '9') return false;
            length = length * 10 + (c - '0');
        }
        return length is > 0 and <= MaxContentLength;
    }

    private static bool IsKnownHeader(ReadOnlySpan<char> name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);

    private static bool IsToken(ReadOnlySpan<char> name)
    {
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }

    /// <summary>A line still being received that could become `Name: value` (token characters up to a colon).</summary>
    private static bool CouldBeHeaderField(ReadOnlySequence<byte> partial)
    {
        foreach (var segment in partial)
        {
            foreach (byte b in segment.Span)
            {
                if (b == (byte)':') return true;
                if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_')) return false;
            }
        }
        return true;
    }

    private static readonly byte[] HeaderPrefix = "content-"u8.ToArray();

    /// <summary>
    /// Skips to whichever comes first after <paramref name="start"/>: the next line, or the next `Content-` (any
    /// case); without either, keeps only what could be the beginning of one.
    /// </summary>
    private static HeaderOutcome SkipGarbage(ReadOnlySequence<byte> buffer, SequencePosition start, out SequencePosition consumed, out long garbage)
    {
        var rest = buffer.Slice(start);
        var reader = new SequenceReader<byte>(rest);
        reader.Advance(1);
        while (reader.TryAdvanceToAny("Cc\n"u8, advancePastDelimiter: false))
        {
            if (reader.TryPeek(out byte b) && b == (byte)'\n')
            {
                reader.Advance(1);
                consumed = reader.Position;
                garbage = reader.Consumed;
                return HeaderOutcome.Garbage;
            }
            var candidate = rest.Slice(reader.Position);
            if (StartsWithHeaderPrefix(candidate, out _))
            {
                consumed = reader.Position;
                garbage = reader.Consumed;
                return HeaderOutcome.Garbage;
            }
            reader.Advance(1);
        }
        long keep = Math.Min(rest.Length - 1, HeaderPrefix.Length - 1);
        consumed = rest.GetPosition(rest.Length - keep);
        garbage = rest.Length - keep;
        return HeaderOutcome.Garbage;
    }

    /// <summary>True when the bytes start with `content-` (any case) or, being fewer, with its beginning (<paramref name="partial"/>).</summary>
    private static bool StartsWithHeaderPrefix(ReadOnlySequence<byte> bytes, out bool partial)
    {
        Span<byte> head = stackalloc byte[8];
        int n = (int)Math.Min(bytes.Length, head.Length);
        bytes.Slice(0, n).CopyTo(head);
        for (int i = 0; i < n; i++)
            if ((byte)char.ToLowerInvariant((char)head[i]) != HeaderPrefix[i]) { partial = false; return false; }
        partial = n < HeaderPrefix.Length;
        return true;
    }

    /// <summary>After a message: nothing more yet, blank space, or the next frame's header.</summary>
    private static bool IsFrameBoundary(ReadOnlySequence<byte> after)
    {
        var reader = new SequenceReader<byte>(after);
        reader.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
        return reader.End || StartsWithHeaderPrefix(after.Slice(reader.Position), out _);
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        reader.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
        return reader.End;
    }

    // ---- Content ------------------------------------------------------------------------------------------

    /// <summary>Where the JSON value at the start of the content ends, found incrementally as bytes arrive.</summary>
    private sealed class JsonExtent
    {
        private JsonReaderState _state = new(ReaderOptions);
        public long Scanned;
        public long? End;
        public long? ErrorAt;
        public bool Done => End is not null || ErrorAt is not null;

        public void Scan(ReadOnlySequence<byte> content, bool final)
        {
            if (Done) return;
            var reader = new Utf8JsonReader(content.Slice(Scanned), final, _state);
            try
            {
                while (reader.Read())
                {
                    if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        End = Scanned + reader.BytesConsumed;
                        return;
                    }
                }
                Scanned += reader.BytesConsumed;
                _state = reader.CurrentState;
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                ErrorAt = Scanned + reader.BytesConsumed;
            }
        }
    }

    private async Task<bool> ReadContentAsync(Header header, CancellationToken cancellationToken)
    {
        var extent = new JsonExtent();
        bool waitBriefly = false;
        while (true)
        {
            var result = waitBriefly
                ? await ReadWithGraceAsync(ShortFrameGrace, cancellationToken).ConfigureAwait(false)
                : await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            extent.Scan(buffer, result.IsCompleted);
            // Settled: nothing more came within the grace period (or ever will).
            bool settled = (waitBriefly && result.IsCanceled) || result.IsCompleted;
            var (length, problem) = Decide(header, extent, buffer, settled);
            waitBriefly = length == WaitBriefly;
            if (waitBriefly)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (length is null)
            {
                if (result.IsCompleted)
                {
                    _log($"input ended inside a message ({buffer.Length}{(header.ContentLength is { } l ? $" of {l}" : "")} bytes)");
                    _input.AdvanceTo(buffer.End);
                    return false;
                }
                if (header.ContentLength is null && extent.Scanned > MaxContentLength)
                {
                    _log($"skipped a frame without a usable length whose content is over {MaxContentLength} bytes ({header.Problem})");
                    _resynchronising = true;
                    _input.AdvanceTo(buffer.GetPosition(extent.Scanned));
                    return true;
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (length == SkipToNextHeader)
            {
                // No usable length and no JSON: nothing to answer; skip to the next Content-Length header (or past
                // the bytes that are certainly not JSON).
                long at = FindContentLength(buffer) ?? Math.Max(1, extent.ErrorAt ?? 1);
                _log($"skipped a bad frame: {header.Problem}, and its content is not JSON");
                _resynchronising = true;
                _input.AdvanceTo(buffer.GetPosition(Math.Min(at, buffer.Length)));
                return true;
            }
            if (problem is not null)
            {
                _log($"bad frame: {problem}");
                _resynchronising = true;
            }
            var body = buffer.Slice(0, length.Value);
            Forward(body);
            _input.AdvanceTo(body.End);
            var flush = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !flush.IsCompleted;
        }
    }

    /// <summary>A <see cref="Decide"/> answer: no usable length and no JSON; nothing to answer, skip to the next header.</summary>
    private const long SkipToNextHeader = -1;
    /// <summary>A <see cref="Decide"/> answer: the declared length ends inside the JSON value; give the rest a moment to arrive.</summary>
    private const long WaitBriefly = -2;

    /// <summary>
    /// How many bytes of the buffer are this frame's message (null: wait for more bytes, or one of the constants
    /// above) and what to log about the frame. Content-Length wins when the JSON value fills it exactly, or when the
    /// content is not a single JSON value anyway (it is then answered -32700/-32600); the JSON value's extent wins
    /// when the declared length would end the message inside the value or inside the next frame's header.
    /// </summary>
    private static (long? Length, string? Problem) Decide(Header header, JsonExtent extent, ReadOnlySequence<byte> buffer, bool settled)
    {
        long available = buffer.Length;
        if (header.ContentLength is not { } declared)
        {
            if (extent.End is { } end) return (end, $"{header.Problem}; read the JSON message that follows it ({end} bytes)");
            if (extent.ErrorAt is not null) return (SkipToNextHeader, null);
            return (null, null);
        }
        if (extent.End is { } valueEnd)
        {
            var after = buffer.Slice(valueEnd);
            string tooLong = $"Content-Length says {declared} bytes but the JSON message ends after {valueEnd}";
            if (valueEnd <= declared)
            {
                if (available >= declared)
                {
                    if (IsBlank(buffer.Slice(valueEnd, declared - valueEnd))) return (declared, header.Problem);
                    // The next header starts inside the declared length: the length was too long.
                    if (IsFrameBoundary(after)) return (valueEnd, tooLong);
                    return (declared, header.Problem);   // trailing content: answered -32700 by Classify
                }
                // Complete before its declared length, and nothing (or the next header) follows yet: do not wait
                // for bytes a client that counted wrong will never send.
                if (IsFrameBoundary(after)) return (valueEnd, after.IsEmpty || IsBlank(after) ? null : tooLong);
                return (null, null);
            }
            // The value runs past the declared length and was already received: the length was short.
            if (IsFrameBoundary(after)) return (valueEnd, $"Content-Length says {declared} bytes but the JSON message is {valueEnd}");
            return (declared, header.Problem);
        }
        if (extent.ErrorAt is { } errorAt)
        {
            if (errorAt < declared)
            {
                // Malformed within its length; if the next frame's header starts inside it, the length was too long
                // too: end the frame there, so the next message is not lost with it.
                var inside = buffer.Slice(errorAt, Math.Min(available, declared) - errorAt);
                if (FindContentLength(inside) is { } next && errorAt + next > 0)
                    return (errorAt + next, $"Content-Length says {declared} bytes but the next header starts after {errorAt + next}");
                return available >= declared ? (declared, header.Problem) : (null, null);
            }
            return (declared, header.Problem);
        }
        // Incomplete so far.
        if (available < declared) return (null, null);
        return settled ? (declared, header.Problem) : (WaitBriefly, null);
    }

    private static readonly byte[] ContentLengthHeader = "content-length:"u8.ToArray();

    /// <summary>The offset of the first `Content-Length:` (any case) in the bytes, if any.</summary>
    private static long? FindContentLength(ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        Span<byte> head = stackalloc byte[ContentLengthHeader.Length];
        while (reader.TryAdvanceToAny("Cc"u8, advancePastDelimiter: false))
        {
            if (reader.Remaining >= head.Length && reader.TryCopyTo(head))
            {
                bool match = true;
                for (int i = 0; i < head.Length && match; i++) match = (byte)char.ToLowerInvariant((char)head[i]) == ContentLengthHeader[i];
                if (match) return reader.Consumed;
            }
            reader.Advance(1);
        }
        return null;
    }

    private void Forward(ReadOnlySequence<byte> body)
    {
        var verdict = Classify(body);
        switch (verdict.Kind)
        {
            case VerdictKind.Forward:
                TimingTrace.Mark($"frame {body.Length}");
                WriteFrame(body);
                break;
            case VerdictKind.Drop:
                _log($"ignored a response: {verdict.Reason}");
                break;
            case VerdictKind.Answer:
                _log($"answered an invalid message with {verdict.Code}: {verdict.Reason}");
                // Not JSON within its length: often a frame counted wrong, whose rest is skipped before the next header.
                if (verdict.Code == -32700) _resynchronising = true;
                var replacement = $"{{\"jsonrpc\":\"2.0\",\"id\":{verdict.IdJson},\"method\":\"{InvalidMessageMethod}\",\"params\":{{\"code\":{verdict.Code},\"message\":{JsonSerializer.Serialize(verdict.Reason)}}}}}";
                WriteFrame(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(replacement)));
                break;
        }
    }

    private void WriteFrame(ReadOnlySequence<byte> body)
    {
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        _output.Write(header);
        foreach (var segment in body) _output.Write(segment.Span);
    }

    // ---- Messages -----------------------------------------------------------------------------------------

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
