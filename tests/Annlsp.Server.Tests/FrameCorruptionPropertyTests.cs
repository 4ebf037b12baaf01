using System.Text;
using Annlsp.Language.Text;
using Annlsp.Server.Tests.Infrastructure;
using CsCheck;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>
/// Property: whatever frame corruptions a client mixes into its stream (garbage between frames, missing, wrong or
/// UTF-16-counted Content-Length, bare-LF headers, truncated bodies, unusable ids, stray responses), the server
/// answers every valid request sent among them and its text stays the client's through random incremental edits
/// (some at positions past the end of a line, which LSP clamps). The text is compared through what the server
/// reveals of it: the semantic tokens and diagnostics of the edited document must equal those of a fresh document
/// opened with the client's text.
/// </summary>
public class FrameCorruptionPropertyTests
{
    private const string Uri = "file:///workspace/prop.ann";
    private static readonly string[] Pieces = ["conv(8, kernel: 3)", "relu", "\n", " ", "->", "dense(", ")", "😀", "é", "x", "#", "pool(max, 2)\n", "{", "}", "4"];

    [Fact]
    public void Random_corruptions_between_valid_messages_never_stop_answers_nor_desynchronise_the_text() =>
        Gen.Int.Sample(seed => Scenario(seed).GetAwaiter().GetResult(), iter: 8, threads: 1);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] Frame(string json) => Bytes($"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    private static string Hover(int id, string extra = "") =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"textDocument/hover\",\"params\":{\"textDocument\":{\"uri\":\"" + Uri +
        "\"},\"position\":{\"line\":1,\"character\":3}" + extra + "}}";

    /// <summary>One corruption; requests inside it use ids from 900,000 up, whose answers (if any) are not awaited.</summary>
    private static byte[] Corruption(Random random, ref int junkId)
    {
        string hover = Hover(++junkId);
        switch (random.Next(11))
        {
            case 0:
                const string alphabet = "abdefxyz0123456789 :{}[]\",\r\n\t-";   // no 'c': never the start of a header by chance
                return Bytes(new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
            case 1: return Bytes("Content-Type: application/vscode-jsonrpc\r\n\r\n" + hover);
            case 2: return Bytes($"Content-Length: {-random.Next(1, 100)}\r\n\r\n" + hover);
            case 3: return Bytes("Content-Length: lots\r\n\r\n" + hover);
            case 4: return Bytes($"Content-Length: {hover.Length}\n\n" + hover);
            case 5:
                var accented = Hover(junkId, ",\"note\":\"ééé 😀\"");
                return Bytes($"Content-Length: {accented.Length}\r\n\r\n" + accented);
            case 6: return Bytes($"Content-Length: {hover.Length + random.Next(1, 5)}\r\n\r\n" + hover);
            case 7:
                int cut = random.Next(1, hover.Length - 1);
                return Frame(hover[..cut]);
            case 8: return Frame(hover.Replace($"\"id\":{junkId}", random.Next(3) switch { 0 => "\"id\":true", 1 => "\"id\":1.5", _ => "\"id\":[1]" }));
            case 9: return Frame(random.Next(2) == 0 ? """{"jsonrpc":"2.0","id":424242,"result":null}""" : """{"jsonrpc":"2.0","id":424242,"error":5}""");
            default: return Bytes($"Content-Length: {random.Next(200, 400)}\r\n\r\nnot json at all");
        }
    }

    private static async Task Scenario(int seed)
    {
        var random = new Random(seed);
        var text = TestDocs.Example("lenet.ann") + "\n# ünïcödé and 😀 keep UTF-16 columns honest\n";
        await using var raw = RawLspConnection.StartInProcess();
        await raw.InitializeAsync();
        await raw.SendAsync(new JObject
        {
            ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
            ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = Uri, ["languageId"] = "ann", ["version"] = 1, ["text"] = text } },
        });
        int version = 1, id = 0, junkId = 900_000;
        var awaited = new List<int>();
        byte[] pending = [];   // a corruption sent in the same write as the next valid message, or on its own
        for (int step = 0; step < 40; step++)
        {
            byte[] message;
            int kind = random.Next(10);
            if (kind < 4)
            {
                pending = [.. pending, .. Corruption(random, ref junkId)];
                if (random.Next(2) == 0) { await raw.SendBytesAsync(pending); pending = []; }
                continue;
            }
            if (kind < 8)
            {
                var source = new SourceText(text);
                int a = random.Next(text.Length + 1), b = Math.Min(text.Length, a + random.Next(0, 6));
                if (a > 0 && a < text.Length && char.IsLowSurrogate(text[a])) a--;
                if (b > 0 && b < text.Length && char.IsLowSurrogate(text[b])) b++;
                if (b < a) b = a;
                string insert = random.Next(3) == 0 ? "" : Pieces[random.Next(Pieces.Length)];
                var start = source.GetPosition(a);
                var end = source.GetPosition(b);
                int endCharacter = end.Character;
                if (random.Next(8) == 0)
                {
                    // Past the end of its line: LSP clamps it to the line's end.
                    endCharacter = int.MaxValue;
                    b = source.LineEnd(end.Line);
                    if (b < a) { a = b; start = source.GetPosition(a); }
                }
                text = text[..a] + insert + text[b..];
                message = Frame(new JObject
                {
                    ["jsonrpc"] = "2.0", ["method"] = "textDocument/didChange",
                    ["params"] = new JObject
                    {
                        ["textDocument"] = new JObject { ["uri"] = Uri, ["version"] = ++version },
                        ["contentChanges"] = new JArray(new JObject
                        {
                            ["range"] = new JObject
                            {
                                ["start"] = new JObject { ["line"] = start.Line, ["character"] = start.Character },
                                ["end"] = new JObject { ["line"] = end.Line, ["character"] = endCharacter },
                            },
                            ["text"] = insert,
                        }),
                    },
                }.ToString(Newtonsoft.Json.Formatting.None));
            }
            else
            {
                message = Frame(Hover(++id));
                awaited.Add(id);
            }
            await raw.SendBytesAsync([.. pending, .. message]);
            pending = [];
        }
        if (pending.Length > 0) await raw.SendBytesAsync(pending);

        foreach (int request in awaited)
        {
            var answer = await raw.ReceiveResponseAsync(request);
            // An answer, or ContentModified when an edit overtook it: never silence.
            Assert.True(answer["result"] is not null || answer["error"]!.Value<int>("code") == -32801, $"seed {seed}: request {request}: {answer}");
        }
        var server = await ProtocolRobustnessTests.RevealAsync(raw, Uri, version);
        await raw.SendAsync(new JObject
        {
            ["jsonrpc"] = "2.0", ["method"] = "textDocument/didOpen",
            ["params"] = new JObject { ["textDocument"] = new JObject { ["uri"] = "file:///workspace/fresh.ann", ["languageId"] = "ann", ["version"] = 1, ["text"] = text } },
        });
        var fresh = await ProtocolRobustnessTests.RevealAsync(raw, "file:///workspace/fresh.ann", 1);
        Assert.True(fresh == server, $"seed {seed}: the server's text differs from the client's\nserver: {server}\nclient: {fresh}");
        Assert.Equal(0, await raw.ShutdownAsync());
    }
}
