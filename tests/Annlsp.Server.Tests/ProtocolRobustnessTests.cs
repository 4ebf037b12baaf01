using System.Text;
using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>
/// A hostile or buggy client against the real server process (`dotnet annlsp-server.dll` over stdio), frames
/// written by hand: ids the server cannot use, responses to requests it never sent, frames with a wrong or no
/// Content-Length. Each time the server must answer what can be answered, log the bad message once, keep
/// answering everything after it, and still end with exit code 0 after shutdown + exit.
/// </summary>
public class ProtocolRobustnessTests
{
    private const string Uri = "file:///workspace/p.ann";
    private const string Text = "network A {\n  input(4)\n  dense(2)\n}\n";

    private static string Hover(object id, string extra = "") =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"textDocument/hover\",\"params\":{\"textDocument\":{\"uri\":\"" + Uri +
        "\"},\"position\":{\"line\":1,\"character\":3}" + extra + "}}";

    private static async Task<RawLspConnection> StartAsync()
    {
        var raw = RawLspConnection.StartProcess();
        await raw.InitializeAsync();
        await raw.SendAsync(new JObject
        {
            ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
            ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = Uri, ["languageId"] = "ann", ["version"] = 1, ["text"] = Text } },
        });
        return raw;
    }

    /// <summary>Requests after the bad input are all answered, in full, and the session ends cleanly.</summary>
    private static async Task AssertStillServingAsync(RawLspConnection raw, int firstId = 100)
    {
        for (int id = firstId; id < firstId + 3; id++)
        {
            await raw.SendAsync(Hover(id));
            var answer = await raw.ReceiveResponseAsync(id);
            Assert.Contains("input", answer["result"]!["contents"]!.Value<string>("value"));
        }
        Assert.False(raw.ServerHasExited);
        Assert.Equal(0, await raw.ShutdownAsync());
    }

    private static List<string> Warnings(RawLspConnection raw) =>
        raw.Received.Where(m => m.Value<string>("method") == "window/logMessage" && m["params"]!.Value<int>("type") == 2)
            .Select(m => m["params"]!.Value<string>("message")!).ToList();

    public static TheoryData<string> UnusableIds() => new() { "true", """{"a":1}""", "[1]", "1.5", "99999999999999999999999", "null" };

    [Theory]
    [MemberData(nameof(UnusableIds))]
    public async Task A_request_whose_id_is_not_a_string_or_an_integer_gets_InvalidRequest_with_id_null(string id)
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(Hover(id));
        var error = await raw.ReceiveResponseAsync(null);
        Assert.Equal(-32600, error["error"]!.Value<int>("code"));
        Assert.Contains("id", error["error"]!.Value<string>("message"));
        await AssertStillServingAsync(raw);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":99,"result":null}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"never-sent","result":{"x":1}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":99,"error":{"code":-32601,"message":"no such method"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":99,"error":5}""")]
    [InlineData("""{"jsonrpc":"2.0","id":true,"result":1}""")]
    [InlineData("""{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"the client could not parse something"}}""")]
    public async Task A_response_to_a_request_the_server_never_sent_is_logged_and_ignored(string response)
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(response);
        var logged = await raw.ReceiveNotificationAsync("window/logMessage", p => p.Value<string>("message")!.StartsWith("ignored a response"));
        Assert.Equal(2, logged["params"]!.Value<int>("type"));
        await AssertStillServingAsync(raw);
        // Never answered: a response to a response would be a protocol error of the server's own.
        Assert.DoesNotContain(raw.Received, m => m["id"] is { } id && (id.ToString() == "99" || id.ToString() == "never-sent"));
    }

    [Fact]
    public async Task A_client_that_answers_the_servers_request_twice_does_not_end_the_session()
    {
        // A training run makes the server ask window/workDoneProgress/create; the client answers it twice.
        var workspace = Directory.CreateTempSubdirectory("annlsp-twice-");
        try
        {
            var raw = RawLspConnection.StartProcess(new Dictionary<string, string> { ["TRAINER_MODE"] = "finish" });
            await using var _ = raw;
            var script = Path.Combine(AppContext.BaseDirectory, "Training", "scripted-trainer.sh");
            var file = Path.Combine(workspace.FullName, "lenet.ann");
            File.WriteAllText(file, TestDocs.Example("lenet.ann"));
            var uri = new System.Uri(file).AbsoluteUri;
            await raw.InitializeAsync(new JObject
            {
                ["rootUri"] = new System.Uri(workspace.FullName).AbsoluteUri,
                ["capabilities"] = new JObject { ["window"] = new JObject { ["workDoneProgress"] = true } },
                ["initializationOptions"] = new JObject { ["trainerCommand"] = new JArray("bash", script) },
            });
            await raw.SendAsync(new JObject
            {
                ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
                ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = uri, ["languageId"] = "ann", ["version"] = 1, ["text"] = File.ReadAllText(file) } },
            });
            await raw.SendAsync(new JObject
            {
                ["jsonrpc"] = "2.0", ["id"] = 7, ["method"] = "workspace/executeCommand",
                ["params"] = new JObject { ["command"] = "annlsp.train", ["arguments"] = new JArray(uri, "LeNet5") },
            });
            var create = await raw.ReceiveAsync(m => m.Value<string>("method") == "window/workDoneProgress/create", "window/workDoneProgress/create");
            var answer = new JObject { ["jsonrpc"] = "2.0", ["id"] = create["id"]!.DeepClone(), ["result"] = null };
            await raw.SendAsync(answer);
            await raw.SendAsync(answer);
            await raw.ReceiveNotificationAsync("window/logMessage", p => p.Value<string>("message")!.StartsWith("ignored a response"));
            await raw.ReceiveNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
            await raw.SendAsync(new JObject
            {
                ["jsonrpc"] = "2.0", ["id"] = 8, ["method"] = "textDocument/hover",
                ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = uri }, ["position"] = new JObject { ["line"] = 1, ["character"] = 10 } },
            });
            Assert.Contains("LeNet5", (await raw.ReceiveResponseAsync(8))["result"]!.ToString());
            Assert.Equal(0, await raw.ShutdownAsync());
        }
        finally { workspace.Delete(recursive: true); }
    }

    /// <summary>
    /// A frame the client got wrong, how the server reads it (`answered`: the message in it is answered as if the
    /// frame had been right; `-32700`: it is answered with a parse error), and how many warnings it logs.
    /// </summary>
    public static TheoryData<string, Func<byte[]>, string, int> BadFrames()
    {
        static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
        static byte[] Frame(string header, string body) => Bytes(header + body);
        string hover = Hover(2);
        string accented = Hover(2, extra: ",\"note\":\"ééé ü 😀\"");   // 2-byte and 4-byte UTF-8: UTF-16 counts fewer
        string next = "Content-Length: " + Encoding.UTF8.GetByteCount(Hover(3)) + "\r\n\r\n" + Hover(3);
        return new()
        {
            { "no Content-Length", () => Frame("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n", hover), "answered", 1 },
            { "negative Content-Length", () => Frame("Content-Length: -5\r\n\r\n", hover), "answered", 1 },
            { "non-numeric Content-Length", () => Frame("Content-Length: twelve\r\n\r\n", hover), "answered", 1 },
            { "huge Content-Length", () => Frame("Content-Length: 99999999999999999\r\n\r\n", hover), "answered", 1 },
            { "headers ending in bare LF", () => Frame($"Content-Length: {hover.Length}\n\n", hover), "answered", 0 },
            { "Content-Length in UTF-16 units (short)", () => Frame($"Content-Length: {accented.Length}\r\n\r\n", accented), "answered", 1 },
            { "Content-Length 3 bytes long, next frame sent with it", () => Frame($"Content-Length: {hover.Length + 3}\r\n\r\n", hover + next), "answered", 1 },
            { "Content-Length 3 bytes short, tail not JSON", () => Frame($"Content-Length: {hover.Length - 3}\r\n\r\n", hover[..^3] + "xyz"), "-32700", 1 },
            { "no blank line after the headers", () => Frame($"Content-Length: {hover.Length}\r\n", hover), "answered", 1 },
            { "garbage between frames", () => Bytes("garbage\r\nthat is not a header}\"\r\n\r\n" + $"Content-Length: {hover.Length}\r\n\r\n" + hover), "answered", 1 },
            { "garbage without headers, then no Content-Length", () => Frame("}}]]\r\n\r\nX-Foo: bar\r\n\r\n", hover), "answered", 1 },
        };
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task After_a_bad_frame_the_server_resynchronises_and_answers_everything_after_it(string name, Func<byte[]> frame, string outcome, int warnings)
    {
        await using var raw = await StartAsync();
        await raw.SendBytesAsync(frame());
        if (outcome == "answered")
            Assert.Contains("input", (await raw.ReceiveResponseAsync(2))["result"]!["contents"]!.Value<string>("value"));
        else
            Assert.Equal(int.Parse(outcome), (await raw.ReceiveResponseAsync(null))["error"]!.Value<int>("code"));
        await AssertStillServingAsync(raw);
        Assert.True(warnings == Warnings(raw).Count, $"{name}: expected {warnings} warning(s), got: {string.Join(" | ", Warnings(raw))}");
    }

    // ---- Text synchronisation --------------------------------------------------------------------------------

    private static JObject Change(string uri, int version, params JObject[] changes) => new()
    {
        ["jsonrpc"] = "2.0", ["method"] = "textDocument/didChange",
        ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = uri, ["version"] = version }, ["contentChanges"] = new JArray(changes) },
    };

    private static JObject Insert(int line, int character, string text) => new()
    {
        ["range"] = new JObject { ["start"] = new JObject { ["line"] = line, ["character"] = character }, ["end"] = new JObject { ["line"] = line, ["character"] = character } },
        ["text"] = text,
    };

    private static JObject Open(string uri, string text) => new()
    {
        ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
        ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = uri, ["languageId"] = "ann", ["version"] = 1, ["text"] = text } },
    };

    private static int _requestId = 5000;

    /// <summary>What the server knows of a document's text, as decoded semantic tokens (position, length, type of every token) and its diagnostics.</summary>
    internal static async Task<(string Tokens, string Diagnostics)> RevealAsync(RawLspConnection raw, string uri, int version)
    {
        int id = Interlocked.Increment(ref _requestId);
        await raw.SendAsync(new JObject
        {
            ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "textDocument/semanticTokens/full",
            ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = uri } },
        });
        var tokens = (await raw.ReceiveResponseAsync(id))["result"]!["data"]!.ToString(Newtonsoft.Json.Formatting.None);
        var diagnostics = await raw.ReceiveNotificationAsync("textDocument/publishDiagnostics", p => p.Value<string>("uri") == uri && p.Value<int?>("version") == version);
        // Related information names the document: compare the rest.
        return (tokens, diagnostics["params"]!["diagnostics"]!.ToString(Newtonsoft.Json.Formatting.None).Replace(uri, "URI"));
    }

    [Fact]
    public async Task An_edit_at_character_int_MaxValue_is_clamped_to_the_line_end_and_the_text_stays_the_clients()
    {
        const string original = "network A {\n    input(1x28x28)\n    flatten\n    dense(10)\n    dense(5)\n}\ntrain A { data: fashion_mnist }\n";
        await using var raw = RawLspConnection.StartProcess();
        await raw.InitializeAsync();
        await raw.SendAsync(Open(Uri, original));
        await raw.SendAsync(Change(Uri, 2, Insert(4, int.MaxValue, " -> relu")));
        await raw.SendAsync(Change(Uri, 3, Insert(3, int.MaxValue, " -> relu"), Insert(99, 0, "# the end\n")));
        var expected = original.Replace("    dense(5)\n", "    dense(5) -> relu\n").Replace("    dense(10)\n", "    dense(10) -> relu\n") + "# the end\n";
        var server = await RevealAsync(raw, Uri, 3);
        await raw.SendAsync(Open("file:///workspace/fresh.ann", expected));
        var fresh = await RevealAsync(raw, "file:///workspace/fresh.ann", 1);
        Assert.Equal(fresh, server);
        Assert.Equal(0, await raw.ShutdownAsync());
    }

    [Fact]
    public async Task An_edit_that_cannot_be_read_is_not_dropped_silently_the_document_waits_for_its_full_text()
    {
        await using var raw = RawLspConnection.StartProcess();
        await raw.InitializeAsync();
        await raw.SendAsync(Open(Uri, Text));
        await raw.ReceiveNotificationAsync("textDocument/publishDiagnostics", p => p.Value<int?>("version") == 1);
        var unreadable = Insert(2, 2, "x");
        unreadable.Remove("text");
        await raw.SendAsync(Change(Uri, 2, unreadable));
        var shown = await raw.ReceiveNotificationAsync("window/showMessage");
        Assert.Contains("lost track of p.ann", shown["params"]!.Value<string>("message"));
        // Its old diagnostics are withdrawn, and its requests refused rather than answered for a text the user does not have.
        await raw.ReceiveNotificationAsync("textDocument/publishDiagnostics", p => p.Value<string>("uri") == Uri && !p["diagnostics"]!.HasValues);
        await raw.SendAsync(Change(Uri, 3, Insert(0, 0, "# later edits cannot apply either\n")));
        await raw.SendAsync(Hover(10));
        var refused = await raw.ReceiveResponseAsync(10);
        Assert.Equal(-32801, refused["error"]!.Value<int>("code"));
        Assert.Contains("out of sync", refused["error"]!.Value<string>("message"));
        // The full text brings it back.
        await raw.SendAsync(Change(Uri, 4, new JObject { ["text"] = Text }));
        var server = await RevealAsync(raw, Uri, 4);
        await raw.SendAsync(Open("file:///workspace/fresh.ann", Text));
        Assert.Equal(await RevealAsync(raw, "file:///workspace/fresh.ann", 1), server);
        await AssertStillServingAsync(raw);
    }

    // ---- Size --------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_twenty_megabyte_document_degrades_with_an_informational_diagnostic_and_every_request_is_answered()
    {
        var block = TestDocs.Example("lenet.ann").Replace("LeNet5", "Net{0}");
        var sb = new StringBuilder();
        for (int n = 0; sb.Length < 20 * 1024 * 1024; n++) sb.Append(block.Replace("{0}", n.ToString())).Append('\n');
        await using var raw = RawLspConnection.StartProcess();
        await raw.InitializeAsync();
        await raw.SendAsync(Open(Uri, sb.ToString()));
        var published = await raw.ReceiveNotificationAsync("textDocument/publishDiagnostics", p => p.Value<int?>("version") == 1, TimeSpan.FromSeconds(120));
        var notice = Assert.Single((JArray)published["params"]!["diagnostics"]!);
        Assert.Equal("ANN5008", notice.Value<string>("code"));
        Assert.Equal(3, notice.Value<int>("severity"));
        Assert.Contains("not analysed", notice.Value<string>("message"));
        foreach (var method in new[] { "textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/codeLens" })
        {
            int id = Interlocked.Increment(ref _requestId);
            await raw.SendAsync(new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = Uri } } });
            Assert.Empty((JArray)(await raw.ReceiveResponseAsync(id, TimeSpan.FromSeconds(60)))["result"]!);
        }
        await raw.SendAsync(Hover(20));
        Assert.Equal(JTokenType.Null, (await raw.ReceiveResponseAsync(20, TimeSpan.FromSeconds(60)))["result"]!.Type);
        await raw.SendAsync(Change(Uri, 2, Insert(1, 0, "# still in step\n")));
        published = await raw.ReceiveNotificationAsync("textDocument/publishDiagnostics", p => p.Value<int?>("version") == 2, TimeSpan.FromSeconds(60));
        Assert.Equal("ANN5008", Assert.Single((JArray)published["params"]!["diagnostics"]!).Value<string>("code"));
        Assert.False(raw.ServerHasExited);
        Assert.Equal(0, await raw.ShutdownAsync());
    }
}
