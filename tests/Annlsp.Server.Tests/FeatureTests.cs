using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>Completion, hover, inlay hints, signature help, navigation, rename, symbols, folding, semantic tokens, code lens and commands on the examples.</summary>
public class FeatureTests
{
    private static readonly string LeNet = TestDocs.Example("lenet.ann");
    private static readonly string Gan = TestDocs.Example("dcgan.ann");

    private static async Task<(LspClient Client, string Uri)> OpenAsync(string name, string text)
    {
        var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri(name);
        await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, 1);
        return (client, uri);
    }

    private static async Task<List<string>> LabelsAsync(LspClient client, string uri, object position)
    {
        var list = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position });
        return list["items"]!.Select(i => i.Value<string>("label")!).ToList();
    }

    [Fact]
    public async Task Completion_offers_what_fits_the_caret()
    {
        const string text = """
            block ConvBlock(filters) {
                conv(filters, kernel: 3, padding: same)
                relu
            }
            network Net {
                input(1x28x28)
                conv(8, kernel: 3, )
                pool(
                co
            }
            network Other {
                input(4)
                dense(2)
            }
            gan G {
                generator: 
            }
            train Net {
                data: 
                optimizer: 
                schedule: 
                loss: 
                device: 
                ep
            }
            train 
            """;
        var (client, uri) = await OpenAsync("complete.ann", text);
        await using var _ = client;

        var layers = await LabelsAsync(client, uri, TestDocs.At(text, "    co", 6));
        Assert.Contains("conv", layers);
        Assert.Contains("dense", layers);
        Assert.Contains("ConvBlock", layers);           // the file's own blocks, like built-ins
        Assert.Contains("residual", layers);
        Assert.DoesNotContain("input", layers);         // only first in a network

        var first = await LabelsAsync(client, uri, TestDocs.At(text, "    input(1x28x28)", 4));
        Assert.Equal("input", first.First(l => l == "input"));

        var poolArgs = await LabelsAsync(client, uri, TestDocs.At(text, "pool(", 5));
        Assert.Contains("max", poolArgs);               // enum values for the first positional parameter
        Assert.Contains("avg", poolArgs);
        Assert.Contains("size:", poolArgs);

        var convArgs = await LabelsAsync(client, uri, TestDocs.At(text, "kernel: 3, )", 11));
        Assert.Contains("stride:", convArgs);
        Assert.Contains("padding:", convArgs);
        Assert.DoesNotContain("kernel:", convArgs);     // already given

        var padding = await LabelsAsync(client, uri, TestDocs.At(text, "padding: same", 9));
        Assert.Contains("same", padding);
        Assert.Contains("valid", padding);
        Assert.Contains("filters", padding);            // the block's parameter

        var generator = await LabelsAsync(client, uri, TestDocs.At(text, "generator: ", 11));
        Assert.Equal(new[] { "Net", "Other" }, generator.OrderBy(x => x));

        var data = await LabelsAsync(client, uri, TestDocs.At(text, "data: ", 6));
        Assert.True(data.Contains("fashion_mnist"), string.Join(" ", data));
        Assert.Contains("shapes", data);

        var optimizer = await LabelsAsync(client, uri, TestDocs.At(text, "optimizer: ", 11));
        Assert.Equal(new[] { "adam", "sgd" }, optimizer);

        var schedule = await LabelsAsync(client, uri, TestDocs.At(text, "schedule: ", 10));
        Assert.Equal(new[] { "constant", "cosine", "onecycle" }, schedule);

        var loss = await LabelsAsync(client, uri, TestDocs.At(text, "loss: ", 6));
        Assert.Equal(new[] { "cross_entropy", "bce" }, loss);

        var device = await LabelsAsync(client, uri, TestDocs.At(text, "device: ", 8));
        Assert.Equal(new[] { "auto", "cpu", "cuda", "cuda:0" }, device);

        var properties = await LabelsAsync(client, uri, TestDocs.At(text, "    ep", 6));
        Assert.Contains("epochs", properties);
        Assert.Contains("batch", properties);
        Assert.Contains("label_smoothing", properties); // from the catalogue
        Assert.DoesNotContain("data", properties);      // already set

        var targets = await LabelsAsync(client, uri, TestDocs.At(text, "train ", 6, occurrence: 1));
        Assert.Contains("Net", targets);
        Assert.Contains("G", targets);

        var top = await LabelsAsync(client, uri, new { line = 0, character = 0 });
        Assert.Equal(new[] { "network", "block", "gan", "train" }, top);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Completion_ranks_layers_by_the_incoming_shape_on_the_wire()
    {
        const string text = """
            network Net {
                input(1x28x28)
                flatten -> dense(16) -> relu -> 
            }
            """;
        var (client, uri) = await OpenAsync("ranked.ann", text);
        await using var _ = client;
        var list = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = TestDocs.At(text, "relu -> ", 8) });
        var items = list["items"]!.OrderBy(i => i.Value<string>("sortText"), StringComparer.Ordinal).ToList();
        Assert.Equal("dense", items[0].Value<string>("label"));
        var conv = items.Single(i => i.Value<string>("label") == "conv");
        Assert.Equal("needs C×H×W; here 16", conv["labelDetails"]!.Value<string>("description"));
        Assert.True(items.IndexOf(conv) > items.FindIndex(i => i.Value<string>("label") == "batchnorm"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Completion_items_carry_signatures_docs_and_snippets()
    {
        var (client, uri) = await OpenAsync("lenet.ann", LeNet);
        await using var _ = client;
        var list = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "    elu", 4) });
        var conv = list["items"]!.First(i => i.Value<string>("label") == "conv");
        Assert.StartsWith("conv(filters: int, kernel: int | HxW", conv.Value<string>("detail"));
        Assert.Equal(2, conv.Value<int>("insertTextFormat"));
        Assert.Contains("${1:filters}", conv.Value<string>("insertText"));
        Assert.Contains("convolution", conv["documentation"]!.Value<string>("value"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Hover_on_a_layer_shows_shapes_params_mult_adds_and_formula()
    {
        var (client, uri) = await OpenAsync("lenet.ann", LeNet);
        await using var _ = client;
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "conv(6", 2) });
        var value = hover["contents"]!.Value<string>("value")!;
        Assert.Equal("markdown", hover["contents"]!.Value<string>("kind"));
        Assert.True(value.Contains("1×28×28 → 6×28×28"), value);
        Assert.True(value.Contains("**156** params"), value);
        Assert.True(value.Contains("**117,600** mult-adds"), value);
        Assert.True(value.Contains("H'"), value);
        Assert.Equal("conv", TestDocs.Slice(LeNet, hover["range"]!));

        var table = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "LeNet5 {", 1) });
        var summary = table["contents"]!.Value<string>("value")!;
        Assert.True(summary.Contains("| Layer | Output shape | Params | Mult-adds |"), summary);
        Assert.True(summary.Contains("61,706"), summary);

        var data = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "fashion_mnist", 3) });
        Assert.Contains("1×28×28", data["contents"]!.Value<string>("value"));
        Assert.Contains("Ankle boot", data["contents"]!.Value<string>("value"));

        var nothing = await client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri }, position = new { line = 0, character = 3 } });
        Assert.True(nothing is null || nothing.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Inlay_hints_show_every_output_shape_and_each_network_input_and_output()
    {
        var (client, uri) = await OpenAsync("lenet.ann", LeNet);
        await using var _ = client;
        var hints = await client.RequestAsync<JArray>("textDocument/inlayHint", new
        {
            textDocument = new { uri },
            range = new { start = new { line = 0, character = 0 }, end = new { line = 100, character = 0 } },
        });
        var labels = hints.Select(h => h.Value<string>("label")).ToList();
        Assert.Contains("→ 6×28×28", labels);
        Assert.Contains("→ 16×5×5", labels);
        Assert.Contains("→ 400", labels);
        Assert.Contains("→ 10", labels);
        // After the network's name its input and output only: the totals are its code lens, said once and not cut off.
        Assert.Contains("1×28×28 → 10", labels);
        Assert.DoesNotContain(labels, l => l!.Contains("params") || l.Contains("mult-adds"));
        // The hint after `pool(max, 2)` on the line with `# -> 6x14x14` sits right after the closing parenthesis.
        var pool = hints.First(h => h.Value<string>("label") == "→ 6×14×14");
        Assert.Equal(TestDocs.At(LeNet, "pool(max, 2)", 12).ToString(), new { line = pool["position"]!.Value<int>("line"), character = pool["position"]!.Value<int>("character") }.ToString());
        Assert.True(13 == labels.Count(l => l!.StartsWith("→")), string.Join(" ", labels));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Signature_help_tracks_the_active_parameter()
    {
        var (client, uri) = await OpenAsync("lenet.ann", LeNet);
        await using var _ = client;
        var help = await client.RequestAsync<JObject>("textDocument/signatureHelp", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "conv(6, kernel: 5, padding: 2)", 5) });
        var signature = help["signatures"]![0]!;
        Assert.StartsWith("conv(filters: int", signature.Value<string>("label"));
        Assert.Equal(0, help.Value<int>("activeParameter"));
        help = await client.RequestAsync<JObject>("textDocument/signatureHelp", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "padding: 2)", 9) });
        Assert.Equal(3, help.Value<int>("activeParameter"));   // padding
        var none = await client.RequestAsync<JToken>("textDocument/signatureHelp", new { textDocument = new { uri }, position = TestDocs.At(LeNet, "    elu", 5) });
        Assert.True(none is null || none.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Definition_references_highlight_and_rename_follow_symbols()
    {
        const string text = """
            block ConvBlock(filters) {
                conv(filters, kernel: 3, padding: 1)
                batchnorm
                relu
            }
            network Net {
                input(1x28x28)
                ConvBlock(8)
                ConvBlock(16)
                flatten
                dense(10)
            }
            train Net { data: fashion_mnist }
            """;
        var (client, uri) = await OpenAsync("nav.ann", text);
        await using var _ = client;
        var use = TestDocs.At(text, "ConvBlock(16)", 3);
        var definition = await client.RequestAsync<JArray>("textDocument/definition", new { textDocument = new { uri }, position = use });
        Assert.Equal("ConvBlock", TestDocs.Slice(text, Assert.Single(definition)["range"]!));
        Assert.Equal(0, definition[0]["range"]!["start"]!.Value<int>("line"));

        var references = await client.RequestAsync<JArray>("textDocument/references", new { textDocument = new { uri }, position = use, context = new { includeDeclaration = true } });
        Assert.Equal(3, references.Count);
        var highlights = await client.RequestAsync<JArray>("textDocument/documentHighlight", new { textDocument = new { uri }, position = use });
        Assert.Equal(new[] { 3, 2, 2 }, highlights.Select(h => h.Value<int>("kind")));

        var prepare = await client.RequestAsync<JObject>("textDocument/prepareRename", new { textDocument = new { uri }, position = TestDocs.At(text, "filters, kernel", 2) });
        Assert.Equal("filters", prepare.Value<string>("placeholder"));
        var rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = TestDocs.At(text, "filters, kernel", 2), newName = "channels" });
        var renamed = TestDocs.Apply(text, (JArray)rename["changes"]![uri]!);
        Assert.True(renamed.Contains("block ConvBlock(channels)"), renamed);
        Assert.True(renamed.Contains("conv(channels, kernel"), renamed);

        rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = TestDocs.At(text, "Net {", 1), newName = "Classifier" });
        renamed = TestDocs.Apply(text, (JArray)rename["changes"]![uri]!);
        Assert.True(renamed.Contains("network Classifier {"), renamed);
        Assert.True(renamed.Contains("train Classifier {"), renamed);
        await client.ChangeFullAsync(uri, renamed, 2);
        Assert.DoesNotContain(await client.DiagnosticsAsync(uri, 2), d => d.Value<int>("severity") == 1);

        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = TestDocs.At(renamed, "ConvBlock(8)", 1), newName = "conv" }));
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = TestDocs.At(renamed, "ConvBlock(8)", 1), newName = "9lives" }));
        var notASymbol = await client.RequestAsync<JToken>("textDocument/prepareRename", new { textDocument = new { uri }, position = TestDocs.At(renamed, "flatten", 2) });
        Assert.True(notASymbol is null || notASymbol.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Document_symbols_folding_and_semantic_tokens_cover_the_file()
    {
        var (client, uri) = await OpenAsync("dcgan.ann", Gan);
        await using var _ = client;
        var symbols = await client.RequestAsync<JArray>("textDocument/documentSymbol", new { textDocument = new { uri } });
        Assert.Equal(new[] { "Generator", "Discriminator", "FashionGAN", "train FashionGAN", "train FashionGAN as shapes" }, symbols.Select(s => s.Value<string>("name")));
        Assert.Equal("network 100 → 1×28×28", symbols[0].Value<string>("detail"));
        Assert.Contains(symbols[0]["children"]!, c => c.Value<string>("name") == "deconv" && c.Value<string>("detail") == "→ 1×28×28");

        var folds = await client.RequestAsync<JArray>("textDocument/foldingRange", new { textDocument = new { uri } });
        Assert.True(folds.Count(f => f.Value<string>("kind") == "region") >= 5);

        var tokens = await client.RequestAsync<JObject>("textDocument/semanticTokens/full", new { textDocument = new { uri } });
        var data = tokens["data"]!.Values<int>().ToList();
        Assert.Equal(0, data.Count % 5);
        // Decode and check a few classifications against the legend.
        var init = await client.Rpc.InvokeWithParameterObjectAsync<JObject>("textDocument/semanticTokens/full", new { textDocument = new { uri } });
        var legend = Handlers.SemanticTokensHandler.TokenTypes;
        var lines = Gan.Split('\n');
        int line = 0, ch = 0;
        var decoded = new List<(string Text, string Type)>();
        for (int i = 0; i < data.Count; i += 5)
        {
            line += data[i];
            ch = data[i] == 0 ? ch + data[i + 1] : data[i + 1];
            decoded.Add((lines[line].Substring(ch, data[i + 2]), legend[data[i + 3]]));
        }
        Assert.Contains(("network", "keyword"), decoded);
        Assert.Contains(("Generator", "class"), decoded);
        Assert.Contains(("deconv", "function"), decoded);
        Assert.Contains(("kernel", "parameter"), decoded);
        Assert.Contains(("optimizer", "property"), decoded);
        Assert.Contains(("1x28x28", "number"), decoded);
        Assert.Contains(decoded, d => d.Type == "comment" && d.Text.StartsWith("# A DCGAN"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Code_lens_offers_train_and_network_summaries()
    {
        var (client, uri) = await OpenAsync("dcgan.ann", Gan);
        await using var _ = client;
        var lenses = await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } });
        var train = lenses.Where(l => l["command"]!.Value<string>("command") == "annlsp.train").ToList();
        Assert.Equal(2, train.Count);
        Assert.All(train, l => Assert.Equal("▶ Train", l["command"]!.Value<string>("title")));
        Assert.Equal(new[] { uri, "FashionGAN" }, train[0]["command"]!["arguments"]!.Values<string>());
        Assert.Equal(new[] { uri, "FashionGAN as shapes" }, train[1]["command"]!["arguments"]!.Values<string>());
        var network = lenses.Where(l => l["command"]!.Value<string>("command") == "annlsp.showNetwork").ToList();
        Assert.Equal(2, network.Count);
        Assert.Matches(@"^[\d,]+ params · [\d.]+ [KMG]? ?mult-adds$", network[0]["command"]!.Value<string>("title"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Errors_show_in_hover_and_on_the_train_lens()
    {
        var text = TestDocs.Example(Path.Combine("mistakes", "ANN3001-dense-after-image.ann"));
        var (client, uri) = await OpenAsync("mistake.ann", text);
        await using var _ = client;
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(text, "dense(120)", 2) });
        Assert.StartsWith("⚠ **ANN3001** dense expects a vector but receives 16×5×5", hover["contents"]!.Value<string>("value"));
        var lenses = await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } });
        var train = Assert.Single(lenses, l => l["command"]!.Value<string>("title")!.StartsWith("▶ Train"));
        Assert.Equal("▶ Train — fix 1 error first", train["command"]!.Value<string>("title"));
        Assert.Equal("", train["command"]!.Value<string>("command"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Network_graph_command_returns_layers_with_shapes()
    {
        var (client, uri) = await OpenAsync("lenet.ann", LeNet);
        await using var _ = client;
        var graph = await client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.networkGraph", arguments = new[] { uri, "LeNet5" } });
        Assert.Equal("LeNet5", graph.Value<string>("name"));
        Assert.Equal(new[] { 1, 28, 28 }, graph["input"]!.Values<int>());
        Assert.Equal(61706, graph.Value<long>("params"));
        var layers = (JArray)graph["layers"]!;
        Assert.True(13 == layers.Count, graph.ToString());
        Assert.Equal("conv", layers[0].Value<string>("kind"));
        Assert.Equal("convolution", layers[0].Value<string>("category"));
        Assert.Equal("conv(6, 5)", layers[0].Value<string>("label"));
        Assert.Equal("activation", layers[1].Value<string>("category"));
        Assert.Equal(new[] { 6, 28, 28 }, layers[0]["output"]!.Values<int>());
        Assert.Equal(3, layers[0].Value<int>("line"));
        Assert.Equal(new[] { 400 }, layers[6]["output"]!.Values<int>());
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.networkGraph", arguments = new[] { uri, "Nope" } }));
        await RpcAssert.ErrorAsync(-32602, () => client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.networkGraph", arguments = new object[] { uri, 3 } }));
        await RpcAssert.ErrorAsync(-32602, () => client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.nothing", arguments = Array.Empty<object>() }));
        Assert.Equal(0, await client.ShutdownAsync());
    }
}
