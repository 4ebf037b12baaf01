using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>The content of a frame: where its JSON value ends, the declared length checked against it, forwarding.</summary>
public sealed partial class FrameSanitizer
{
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
}
