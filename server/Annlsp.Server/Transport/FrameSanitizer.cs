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
public sealed partial class FrameSanitizer
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
}
