using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>textDocument/formatting over JSON-RPC; the layout itself is tested on tests/editor/formatting and every example (FormatterTests in Annlsp.Language.Tests).</summary>
public class FormattingTests
{
    private static async Task<string> FormatAsync(LspClient client, string uri, string text, int version, int tabSize = 4)
    {
        await client.ChangeFullAsync(uri, text, version);
        var edits = await client.RequestAsync<JArray>("textDocument/formatting", new { textDocument = new { uri }, options = new { tabSize, insertSpaces = true } });
        return TestDocs.Apply(text, edits);
    }

    [Fact]
    public async Task Messy_text_gets_the_canonical_layout()
    {
        const string messy = "\n\n# LeNet\nnetwork   LeNet5{\ninput( 1x28x28 )\n      conv(6,kernel :5 ,padding : 2)->relu   # first\n\n\n\n  pool( max,2 )\n flatten\n  dense( 128*7 )->relu\n dense(10)\n   }\ntrain LeNet5 {data:fashion_mnist\n  optimizer :adam( lr :1e-3 )\ndevice: cuda:0   \n}";
        const string expected = "# LeNet\nnetwork LeNet5 {\n    input(1x28x28)\n    conv(6, kernel: 5, padding: 2) -> relu   # first\n\n    pool(max, 2)\n    flatten\n    dense(128 * 7) -> relu\n    dense(10)\n}\ntrain LeNet5 { data: fashion_mnist\n    optimizer: adam(lr: 1e-3)\n    device: cuda:0\n}\n";
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("fmt.ann");
        await client.OpenAsync(uri, messy);
        var before = await client.DiagnosticsAsync(uri, 1);
        var formatted = await FormatAsync(client, uri, messy, 2);
        Assert.Equal(expected, formatted);
        var after = await client.DiagnosticsAsync(uri, 2);
        Assert.Equal(Codes(before), Codes(after));
        // Idempotent: formatting the result changes nothing.
        await client.ChangeFullAsync(uri, formatted, 3);
        var again = await client.RequestAsync<JArray>("textDocument/formatting", new { textDocument = new { uri }, options = new { tabSize = 4, insertSpaces = true } });
        Assert.Empty(again);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Indentation_follows_the_request_options_and_syntax_errors_get_no_edit()
    {
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("tabs.ann");
        const string text = "network Net {\ninput(4)\n  dense(2)\n}\n";
        await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, 1);
        var tabs = await client.RequestAsync<JArray>("textDocument/formatting", new { textDocument = new { uri }, options = new { tabSize = 4, insertSpaces = false } });
        Assert.Equal("network Net {\n\tinput(4)\n\tdense(2)\n}\n", TestDocs.Apply(text, tabs));
        var two = await client.RequestAsync<JArray>("textDocument/formatting", new { textDocument = new { uri }, options = new { tabSize = 2, insertSpaces = true } });
        Assert.Equal("network Net {\n  input(4)\n  dense(2)\n}\n", TestDocs.Apply(text, two));
        Assert.Equal((0, 0, 4, 0), Range(Assert.Single(two)));            // one edit replacing the whole text

        await client.ChangeFullAsync(uri, "network Net {\ninput(4\n}\n", 2);
        Assert.Empty(await client.RequestAsync<JArray>("textDocument/formatting", new { textDocument = new { uri }, options = new { tabSize = 4, insertSpaces = true } }));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    private static (int, int, int, int) Range(JToken edit)
    {
        var r = edit["range"]!;
        return (r["start"]!.Value<int>("line"), r["start"]!.Value<int>("character"), r["end"]!.Value<int>("line"), r["end"]!.Value<int>("character"));
    }

    private static List<string> Codes(JArray diagnostics) => diagnostics.Select(d => d.Value<string>("code")!).OrderBy(c => c).ToList();
}
