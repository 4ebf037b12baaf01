using System.Text;
using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server.Tests;

public class RobustnessTests
{
    [Fact]
    public async Task Unknown_method_is_MethodNotFound_and_server_stays_up()
    {
        await using var client = LspClient.StartInProcess();
        await client.InitializeAsync();
        await RpcAssert.ErrorAsync(-32601, () => client.RequestAsync<JToken>("textDocument/noSuchThing", new { }));
        await client.NotifyAsync("$/noSuchNotification", new { x = 1 });
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Wrong_param_types_are_InvalidParams()
    {
        await using var client = LspClient.StartInProcess();
        await client.InitializeAsync();
        await client.OpenAsync("file:///p.ann", "network A {\n  input(4)\n}\n");
        var message = await RpcAssert.ErrorAsync(-32602, () =>
            client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri = "file:///p.ann" }, position = new { line = "one", character = new[] { 1 } } }));
        Assert.Contains("position.line", message);
        message = await RpcAssert.ErrorAsync(-32602, () =>
            client.RequestAsync<JToken>("textDocument/hover", new { position = new { line = 0, character = 0 } }));
        Assert.Contains("textDocument", message);
        await RpcAssert.ErrorAsync(-32602, () => client.RequestAsync<JToken>("textDocument/completion", new { }));
        await RpcAssert.ErrorAsync(-32602, () => client.Rpc.InvokeAsync<JToken>("textDocument/hover"));
        message = await RpcAssert.ErrorAsync(-32602, () =>
            client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri = "file:///not-open.ann" }, position = new { line = 0, character = 0 } }));
        Assert.Contains("not open", message);
        // The server still answers real requests.
        var hover = await client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri = "file:///p.ann" }, position = new { line = 1, character = 3 } });
        Assert.Contains("input", hover.ToString());
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Malformed_json_gets_ParseError_and_the_connection_survives()
    {
        await using var raw = RawLspConnection.StartInProcess();
        await raw.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}""");
        Assert.NotNull((await raw.ReceiveResponseAsync(1))["result"]);
        await raw.SendAsync("""{"jsonrpc":"2.0","method":"initialized","params":{}}""");

        await raw.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{""");   // truncated
        var error = await raw.ReceiveResponseAsync(null);
        Assert.Equal(-32700, error["error"]!.Value<int>("code"));

        await raw.SendAsync("[1,2,3]");                                                                // JSON, not JSON-RPC
        error = await raw.ReceiveResponseAsync(null);
        Assert.Equal(-32600, error["error"]!.Value<int>("code"));

        await raw.SendAsync("""{"jsonrpc":"2.0","id":7,"params":{}}""");                               // no method: invalid request, id kept
        error = await raw.ReceiveResponseAsync(7);
        Assert.Equal(-32600, error["error"]!.Value<int>("code"));

        await raw.SendBytesAsync(Encoding.ASCII.GetBytes("garbage without headers\r\n\r\n"));          // framing garbage is skipped
        await raw.SendBytesAsync(new byte[] { 0xC3, 0x28 }, contentLengthHeader: true);                // invalid UTF-8
        error = await raw.ReceiveResponseAsync(null);
        Assert.Equal(-32700, error["error"]!.Value<int>("code"));

        await raw.SendAsync("""{"jsonrpc":"2.0","id":3,"method":"shutdown"}""");
        var ok = await raw.ReceiveResponseAsync(3);
        Assert.True(ok.ContainsKey("result"));
        await raw.SendAsync("""{"jsonrpc":"2.0","method":"exit"}""");
        Assert.Equal(0, await raw.WaitForExitAsync());
    }

    [Fact]
    public async Task CancelRequest_answers_the_cancelled_request_with_RequestCancelled()
    {
        // A document of some 10 MB whose analysis takes long enough for a cancel to land: analysed despite its size.
        await using var raw = RawLspConnection.StartInProcess(new ServerOptions { AnalysisLimit = int.MaxValue });
        await raw.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}""");
        await raw.ReceiveResponseAsync(1);
        await raw.SendAsync("""{"jsonrpc":"2.0","method":"initialized","params":{}}""");
        // A big document, so the hover below has to wait for its analysis.
        var block = TestDocs.Example("lenet.ann").Replace("LeNet5", "N{0}");
        var text = string.Concat(Enumerable.Range(0, 8000).Select(i => block.Replace("{0}", i.ToString())));
        await raw.SendAsync(new JObject
        {
            ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
            ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = "file:///big.ann", ["languageId"] = "ann", ["version"] = 1, ["text"] = text } },
        }.ToString(Newtonsoft.Json.Formatting.None));
        // Whether the cancel lands while the hover waits for the analysis is a matter of timing: on a busy
        // machine the thread pool can finish the analysis before the hover is even dispatched (its answer is
        // then a plain null: a keyword). So the scene is replayed on a fresh version of the document — a
        // fresh analysis — until a cancel lands, at most five times; every answer before must be that null.
        JObject response = null!;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int id = 10 + attempt;
            if (attempt > 0)
                await raw.SendAsync(new JObject
                {
                    ["jsonrpc"] = "2.0", ["method"] = "textDocument/didChange",
                    ["params"] = new JObject
                    {
                        ["textDocument"] = new JObject { ["uri"] = "file:///big.ann", ["version"] = 1 + attempt },
                        ["contentChanges"] = new JArray(new JObject { ["text"] = text }),
                    },
                }.ToString(Newtonsoft.Json.Formatting.None));
            await raw.SendAsync("""{"jsonrpc":"2.0","id":""" + id + ""","method":"textDocument/hover","params":{"textDocument":{"uri":"file:///big.ann"},"position":{"line":1,"character":6}}}""");
            await raw.SendAsync("""{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":""" + id + "}}");
            response = await raw.ReceiveResponseAsync(id, TimeSpan.FromSeconds(120));
            if (response["error"] is not null) break;
            Assert.Equal(JTokenType.Null, response["result"]!.Type);
        }
        Assert.Equal(-32800, response["error"]!.Value<int>("code"));
        // Still serving.
        await raw.SendAsync("""{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///big.ann"},"position":{"line":1,"character":9}}}""");
        var hover = await raw.ReceiveResponseAsync(3, TimeSpan.FromSeconds(120));
        Assert.Contains("network N0", hover["result"]!.ToString());
        await raw.SendAsync("""{"jsonrpc":"2.0","id":4,"method":"shutdown"}""");
        await raw.ReceiveResponseAsync(4);
        await raw.SendAsync("""{"jsonrpc":"2.0","method":"exit"}""");
        Assert.Equal(0, await raw.WaitForExitAsync());
    }
}
