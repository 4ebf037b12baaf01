using StreamJsonRpc;

namespace Annlsp.Server.Tests.Infrastructure;

public static class RpcAssert
{
    /// <summary>The request fails with this JSON-RPC error code (StreamJsonRpc maps -32601/-32602 to its own exception type).</summary>
    public static async Task<string> ErrorAsync(int code, Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<RemoteRpcException>(call);
        int actual = e switch
        {
            RemoteInvocationException i => i.ErrorCode,
            RemoteMethodNotFoundException m => (int)m.ErrorCode,
            _ => int.MinValue,
        };
        Assert.True(actual == code, $"expected error {code}, got {actual}: {e.Message}");
        return e.Message;
    }
}
