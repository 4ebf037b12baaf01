using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server.Tests;

public class LifecycleTests
{
    [Fact]
    public async Task Initialize_declares_capabilities_and_shutdown_exit_returns_zero()
    {
        await using var client = LspClient.StartInProcess();
        var result = await client.InitializeAsync();
        Assert.Equal("annlsp", result["serverInfo"]!.Value<string>("name"));
        Assert.Equal(2, result["capabilities"]!["textDocumentSync"]!.Value<int>("change"));
        Assert.True(result["capabilities"]!["textDocumentSync"]!.Value<bool>("openClose"));
        var log = await client.WaitForNotificationAsync("window/logMessage");
        Assert.Contains("ready", log.Value<string>("message"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Requests_before_initialize_get_ServerNotInitialized()
    {
        await using var client = LspClient.StartInProcess();
        await RpcAssert.ErrorAsync(-32002, () =>
            client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri = "file:///a.ann" }, position = new { line = 0, character = 0 } }));
        await client.InitializeAsync();
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Exit_without_shutdown_returns_one()
    {
        await using var client = LspClient.StartInProcess();
        await client.InitializeAsync();
        await client.Rpc.NotifyAsync("exit");
        Assert.Equal(1, await client.WaitForExitAsync());
    }

    [Fact]
    public async Task Requests_after_shutdown_are_refused()
    {
        await using var client = LspClient.StartInProcess();
        await client.InitializeAsync();
        await client.Rpc.InvokeAsync<object?>("shutdown");
        await RpcAssert.ErrorAsync(-32600, () =>
            client.RequestAsync<JToken>("textDocument/documentSymbol", new { textDocument = new { uri = "file:///a.ann" } }));
        await client.Rpc.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
    }

    [Fact]
    public async Task Child_process_server_over_stdio_initializes_and_exits_cleanly()
    {
        await using var client = LspClient.StartProcess();
        var result = await client.InitializeAsync();
        Assert.Equal("annlsp", result["serverInfo"]!.Value<string>("name"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task SetTrace_turns_on_logTrace()
    {
        await using var client = LspClient.StartInProcess();
        await client.InitializeAsync();
        await client.NotifyAsync("$/setTrace", new { value = "verbose" });
        await client.OpenAsync("file:///t.ann", "network A {\n  input(4)\n  dense(2)\n}\n");
        var trace = await client.WaitForNotificationAsync("$/logTrace");
        Assert.Contains("analysed", trace.Value<string>("message"));
        Assert.Equal(0, await client.ShutdownAsync());
    }
}
