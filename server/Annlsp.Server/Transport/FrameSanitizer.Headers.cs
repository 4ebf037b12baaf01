using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Annlsp.Server.Transport;

/// <summary>The header block of a frame: Content-Length, and skipping what is not a header.</summary>
public sealed partial class FrameSanitizer
{
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
}
