using Annlsp.Server.Protocol;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Annlsp.Server.Transport;

/// <summary>
/// StreamJsonRpc's JsonRpc with the LSP lifecycle rules applied before any handler runs: nothing but
/// `initialize` (and `exit`) before initialisation (-32002), nothing but `exit` after `shutdown` (-32600).
/// </summary>
public sealed class LspJsonRpc : JsonRpc
{
    private readonly Func<ServerSession?> _session;

    public LspJsonRpc(IJsonRpcMessageHandler handler, Func<ServerSession?> session) : base(handler) => _session = session;

    protected override async ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        var session = _session();
        if (session is not null && request.Method is not ("exit" or FrameSanitizer.InvalidMessageMethod))
        {
            if (session.State is ServerState.Created && request.Method != "initialize")
                return Error(request, LspErrorCodes.ServerNotInitialized, $"the server is not initialized yet; '{request.Method}' must come after 'initialize'");
            if (session.State is ServerState.ShuttingDown or ServerState.Exited)
                return Error(request, LspErrorCodes.InvalidRequest, $"the server is shutting down; '{request.Method}' is not accepted after 'shutdown'");
            if (request.Method == "initialize" && session.State is not ServerState.Created)
                return Error(request, LspErrorCodes.InvalidRequest, "the server is already initialized");
        }
        TimingTrace.Mark($"dispatch {request.Method}");
        var response = await base.DispatchRequestAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
        TimingTrace.Mark($"dispatched {request.Method}");
        return response;
    }

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var detail = base.CreateErrorDetails(request, exception);
        var inner = exception is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : exception;
        if (inner is not LocalRpcException && inner is not OperationCanceledException)
        {
            _session()?.Log(MessageType.Error, $"'{request.Method}' failed: {inner}");
            detail.Code = (JsonRpcErrorCode)LspErrorCodes.InternalError;
            detail.Message = $"internal error in '{request.Method}': {inner.Message}";
            detail.Data = null;
        }
        return detail;
    }

    private static JsonRpcError Error(JsonRpcRequest request, int code, string message) => new()
    {
        RequestId = request.RequestId,
        Error = new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)code, Message = message },
    };
}
