using System.Collections.Concurrent;
using System.IO.Pipelines;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Annlsp.Server.Transport;

/// <summary>
/// StreamJsonRpc's Content-Length handler, minus one way to lose the connection: a response to a request the
/// server never sent (or already had answered — a client that answers twice or late) makes StreamJsonRpc close
/// the connection as a protocol violation. The ids of the server's own requests are remembered as they are
/// written; a response with any other id is logged and dropped before StreamJsonRpc sees it.
/// </summary>
public sealed class LspMessageHandler(PipeWriter writer, PipeReader reader, IJsonRpcMessageFormatter formatter, Action<string> log)
    : HeaderDelimitedMessageHandler(writer, reader, formatter)
{
    private readonly ConcurrentDictionary<RequestId, byte> _awaitingResponse = new();

    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcRequest { IsResponseExpected: true } request) _awaitingResponse.TryAdd(request.RequestId, 0);
        if (!TimingTrace.Enabled)
        {
            base.Write(content, cancellationToken);
            return;
        }
        string what = content is JsonRpcRequest r ? r.Method ?? "?" : content is IJsonRpcMessageWithId { RequestId: var id } ? $"response {id}" : "?";
        TimingTrace.Mark($"write {what}");
        base.Write(content, cancellationToken);
        TimingTrace.Mark($"serialized {what}");
    }

    protected override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await base.FlushAsync(cancellationToken).ConfigureAwait(false);
        TimingTrace.Mark("flushed");
    }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await base.ReadCoreAsync(cancellationToken).ConfigureAwait(false);
            if (message is JsonRpcResult or JsonRpcError && message is IJsonRpcMessageWithId { RequestId: var id } && !_awaitingResponse.TryRemove(id, out _))
            {
                log($"ignored a response to a request the server did not send or that was already answered (id {id})");
                // The handler holds the message's bytes until it is told the message was read.
                ((StreamJsonRpc.Reflection.IJsonRpcMessageBufferManager)this).DeserializationComplete(message);
                continue;
            }
            return message;
        }
    }
}
