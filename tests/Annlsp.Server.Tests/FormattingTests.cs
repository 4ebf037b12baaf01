using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

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

    public static IEnumerable<object[]> AllExamples() =>
        TestDocs.ExampleFiles().Concat(TestDocs.ExampleFiles("mistakes")).Select(f => new object[] { Path.GetRelativePath(Path.Combine(ServerProcess.RepoRoot, "examples"), f) });

    /// <summary>On every example: same diagnostics (codes and messages) after formatting, and a second format is a no-op.</summary>
    [Theory]
    [MemberData(nameof(AllExamples))]
    public async Task Formatting_never_changes_meaning_and_is_idempotent(string name)
    {
        var text = TestDocs.Example(name);
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri(Path.GetFileName(name));
        await client.OpenAsync(uri, text);
        var before = await client.DiagnosticsAsync(uri, 1);
        var formatted = await FormatAsync(client, uri, text, 2, tabSize: 2);
        var after = await client.DiagnosticsAsync(uri, 2);
        if (before.Any(d => d.Value<string>("code")!.StartsWith("ANN1")))
        {
            Assert.Equal(text, formatted);             // syntax errors: left alone
        }
        else
        {
            Assert.Equal(Codes(before), Codes(after));
            Assert.Equal(before.Select(d => d.Value<string>("message")), after.Select(d => d.Value<string>("message")));
            Assert.Equal(formatted, await FormatAsync(client, uri, formatted, 3, tabSize: 2));
            Assert.DoesNotContain(" \n", formatted);
            Assert.EndsWith("\n", formatted);
        }
        Assert.Equal(0, await client.ShutdownAsync());
    }

    private static List<string> Codes(JArray diagnostics) => diagnostics.Select(d => d.Value<string>("code")!).OrderBy(c => c).ToList();
}
