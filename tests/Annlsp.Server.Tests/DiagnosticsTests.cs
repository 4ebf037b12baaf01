using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

public class DiagnosticsTests
{
    public static IEnumerable<object[]> Examples() => TestDocs.ExampleFiles().Select(f => new object[] { Path.GetFileName(f) });

    public static IEnumerable<object[]> Mistakes() => TestDocs.ExampleFiles("mistakes").Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_opens_without_errors(string name)
    {
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri(name);
        await client.OpenAsync(uri, TestDocs.Example(name));
        var diagnostics = await client.DiagnosticsAsync(uri, 1);
        Assert.DoesNotContain(diagnostics, d => d.Value<int>("severity") == 1);
        Assert.All(diagnostics, d => Assert.Equal("annlsp", d.Value<string>("source")));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>Each file in examples/mistakes declares the codes it must produce ("# expect: ANN3001"); every quick fix offered must make its diagnostic go away.</summary>
    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Every_mistake_reports_its_code_and_its_quick_fixes_remove_it(string name)
    {
        var text = TestDocs.Example(Path.Combine("mistakes", name));
        var expected = text.Split('\n').Where(l => l.StartsWith("# expect:")).SelectMany(l => l["# expect:".Length..].Split(new[] { ',', ' ', '\r' }, StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (expected.Count == 0) expected.Add(name[..7]);
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri(name);
        await client.OpenAsync(uri, text);
        var diagnostics = await client.DiagnosticsAsync(uri, 1);
        foreach (var code in expected)
            Assert.True(diagnostics.Any(d => d.Value<string>("code") == code), $"{code} missing; got {diagnostics}");

        int version = 1;
        foreach (var diagnostic in diagnostics.Where(d => expected.Contains(d.Value<string>("code")!)).ToList())
        {
            var actions = await client.RequestAsync<JArray>("textDocument/codeAction", new
            {
                textDocument = new { uri },
                range = diagnostic["range"],
                context = new { diagnostics = new[] { diagnostic } },
            });
            foreach (var action in actions.Where(a => a["diagnostics"]!.Any(d => d.Value<string>("code") == diagnostic.Value<string>("code"))))
            {
                Assert.Equal("quickfix", action.Value<string>("kind"));
                var fixedText = TestDocs.Apply(text, (JArray)action["edit"]!["changes"]![uri]!);
                await client.ChangeFullAsync(uri, fixedText, ++version);
                var after = await client.DiagnosticsAsync(uri, version);
                Assert.DoesNotContain(after, d => d.Value<string>("code") == diagnostic.Value<string>("code") && d["range"]!.ToString() == diagnostic["range"]!.ToString());
                Assert.True(after.Count(d => d.Value<string>("code") == diagnostic.Value<string>("code")) < diagnostics.Count(d => d.Value<string>("code") == diagnostic.Value<string>("code")),
                    $"{action.Value<string>("title")} did not remove {diagnostic.Value<string>("code")}:\n{fixedText}");
                await client.ChangeFullAsync(uri, text, ++version);
                await client.DiagnosticsAsync(uri, version);
            }
        }
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Shape_error_names_the_shapes_and_insert_flatten_fixes_it()
    {
        const string text = "network Net {\n    input(1x28x28)\n    conv(16, kernel: 5)\n    dense(10)\n}\ntrain Net { data: fashion_mnist }\n";
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("flat.ann");
        await client.OpenAsync(uri, text);
        var diagnostics = await client.DiagnosticsAsync(uri, 1);
        var dense = Assert.Single(diagnostics, d => d.Value<string>("code") == "ANN3001");
        Assert.Equal(1, dense.Value<int>("severity"));
        Assert.Contains("16×24×24", dense.Value<string>("message"));
        Assert.Equal("dense", TestDocs.Slice(text, dense["range"]!)[..5]);

        var actions = await client.RequestAsync<JArray>("textDocument/codeAction", new
        {
            textDocument = new { uri },
            range = dense["range"],
            context = new { diagnostics = new[] { dense } },
        });
        var flatten = Assert.Single(actions, a => a.Value<string>("title")!.Contains("flatten"));
        var fixedText = TestDocs.Apply(text, (JArray)flatten["edit"]!["changes"]![uri]!);
        Assert.Contains("flatten", fixedText);
        await client.ChangeFullAsync(uri, fixedText, 2);
        var after = await client.DiagnosticsAsync(uri, 2);
        Assert.DoesNotContain(after, d => d.Value<int>("severity") == 1);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Related_information_and_unnecessary_tags_are_published()
    {
        const string text = """
            network G {
                input(100)
                dense(784)
                reshape(1x28x28)
                tanh
            }
            network D {
                input(3x32x32)
                flatten
                dense(1)
            }
            network Unused {
                input(4)
                dense(2)
            }
            gan P { generator: G  discriminator: D }
            train P { data: fashion_mnist }
            """;
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("gan.ann");
        await client.OpenAsync(uri, text);
        var diagnostics = await client.DiagnosticsAsync(uri, 1);
        var mismatch = Assert.Single(diagnostics, d => d.Value<string>("code") == "ANN3008");
        var related = (JArray)mismatch["relatedInformation"]!;
        Assert.NotEmpty(related);
        Assert.All(related, r => Assert.Equal(uri, r["location"]!.Value<string>("uri")));
        var unused = Assert.Single(diagnostics, d => d.Value<string>("code") == "ANN5005");
        Assert.Equal(4, unused.Value<int>("severity"));
        Assert.Equal(new[] { 1 }, unused["tags"]!.Values<int>());
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Closing_a_document_clears_its_diagnostics()
    {
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("close.ann");
        await client.OpenAsync(uri, "network A { input(4) conv(3, kernel: 2) }");
        Assert.NotEmpty(await client.DiagnosticsAsync(uri, 1));
        await client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri } });
        var cleared = await client.WaitForNotificationAsync("textDocument/publishDiagnostics", p => p.Value<string>("uri") == uri && !p["diagnostics"]!.Any());
        Assert.Null(cleared["version"]);
        Assert.Equal(0, await client.ShutdownAsync());
    }
}
