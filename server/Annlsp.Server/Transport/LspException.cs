using StreamJsonRpc;

namespace Annlsp.Server.Transport;

/// <summary>Thrown by a handler to answer with a specific JSON-RPC error code (see <see cref="Protocol.LspErrorCodes"/>).</summary>
public sealed class LspException : LocalRpcException
{
    public LspException(int code, string message) : base(message) { ErrorCode = code; }

    public static LspException InvalidParams(string message) => new(Protocol.LspErrorCodes.InvalidParams, message);
    public static LspException RequestFailed(string message) => new(Protocol.LspErrorCodes.RequestFailed, message);
}
