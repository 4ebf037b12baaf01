using Annlsp.Language.Editor;
using Annlsp.Server.Tests.Infrastructure;
using Annlsp.Server.Translation;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>
/// Each editor capability over JSON-RPC: that its handler is wired and its answer translated to LSP (ranges,
/// kinds, markup, snippets, the semantic tokens encoding). What the features answer is tested on the fixtures of
/// tests/editor (EditorBaselineTests in Annlsp.Language.Tests); carets here are marked `$0` the same way.
/// </summary>
public class FeatureTests
{
    private const string LeNet = """
        # A small LeNet.
        network LeNet5 {
            input(1x28x28)
            $0conv(6, kernel: 5, padding: $02)
            elu
            pool(max, 2)                      # -> 6x14x14
            conv(16, kernel: 5) -> elu -> pool(max, 2)
            flatten
            dense(120) -> elu
            $0
            dense(10)
        }
        train LeNet5 {
            data: fashion_mnist
            optimizer: adam(lr: 3e-3)
        }
        """;

    private static async Task<(LspClient Client, string Uri)> OpenAsync(string name, string text)
    {
        var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri(name);
        await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, 1);
        return (client, uri);
    }

    [Fact]
    public async Task Completion_items_carry_kinds_label_details_docs_snippets_and_sort_order()
    {
        var (text, carets) = TestDocs.Carets(LeNet);
        var (client, uri) = await OpenAsync("lenet.ann", text);
        await using var _ = client;
        var list = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = carets[2] });
        Assert.False(list.Value<bool>("isIncomplete"));
        var items = (JArray)list["items"]!;
        var conv = items.Single(i => i.Value<string>("label") == "conv");
        Assert.Equal(3, conv.Value<int>("kind"));                        // Function
        Assert.StartsWith("conv(filters: int, kernel: int | HxW", conv.Value<string>("detail"));
        Assert.Equal(2, conv.Value<int>("insertTextFormat"));            // Snippet
        Assert.Equal("conv(${1:filters}, kernel: ${2:kernel})", conv.Value<string>("insertText"));
        Assert.Equal("markdown", conv["documentation"]!.Value<string>("kind"));
        Assert.Contains("convolution", conv["documentation"]!.Value<string>("value"));
        Assert.Equal("(…)", conv["labelDetails"]!.Value<string>("detail"));
        Assert.Equal("needs C×H×W; here 120", conv["labelDetails"]!.Value<string>("description"));
        var dense = items.Single(i => i.Value<string>("label") == "dense");
        Assert.True(string.CompareOrdinal(dense.Value<string>("sortText"), conv.Value<string>("sortText")) < 0);
        var residual = items.Single(i => i.Value<string>("label") == "residual");
        Assert.Equal(14, residual.Value<int>("kind"));                    // Keyword
        Assert.Null(residual["labelDetails"]);
        Assert.Null(residual["preselect"]);                               // false is left out

        var values = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = carets[1] });
        var same = values["items"]!.Single(i => i.Value<string>("label") == "same");
        Assert.Equal(20, same.Value<int>("kind"));                        // EnumMember
        Assert.Null(same["insertTextFormat"]);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Completion_offers_the_fitting_values_first_and_preselected()
    {
        var (text, carets) = TestDocs.Carets("network Net {\n    input(1x28x28)\n    pool(max, $0)\n    flatten -> dense(10)\n}\n");
        var (client, uri) = await OpenAsync("pool.ann", text);
        await using var _ = client;
        var list = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = carets[0] });
        var first = list["items"]!.OrderBy(i => i.Value<string>("sortText"), StringComparer.Ordinal).First();
        Assert.Equal("2", first.Value<string>("label"));
        Assert.Equal(12, first.Value<int>("kind"));                       // Value
        Assert.True(first.Value<bool>("preselect"));
        Assert.Equal("→ 14×14", first["labelDetails"]!.Value<string>("description"));
        Assert.Null(first["labelDetails"]!["detail"]);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Hover_is_markdown_with_the_range_of_the_hovered_name()
    {
        var (text, carets) = TestDocs.Carets(LeNet);
        var (client, uri) = await OpenAsync("lenet.ann", text);
        await using var _ = client;
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = carets[0] });
        Assert.Equal("markdown", hover["contents"]!.Value<string>("kind"));
        Assert.Contains("`1×28×28 → 6×28×28`", hover["contents"]!.Value<string>("value"));
        Assert.Equal("conv", TestDocs.Slice(text, hover["range"]!));
        var nothing = await client.RequestAsync<JToken>("textDocument/hover", new { textDocument = new { uri }, position = new { line = 0, character = 3 } });
        Assert.True(nothing is null || nothing.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Inlay_hints_are_type_hints_padded_left_at_the_end_of_each_layer_within_the_range()
    {
        var (text, _) = TestDocs.Carets(LeNet);
        var (client, uri) = await OpenAsync("lenet.ann", text);
        await using var _ = client;
        var hints = await client.RequestAsync<JArray>("textDocument/inlayHint", new
        {
            textDocument = new { uri },
            range = new { start = new { line = 0, character = 0 }, end = new { line = 100, character = 0 } },
        });
        Assert.All(hints, h => Assert.Equal(1, h.Value<int>("kind")));
        Assert.All(hints, h => Assert.True(h.Value<bool>("paddingLeft")));
        // The hint after `pool(max, 2)` sits right after its parenthesis, before the comment.
        var pool = hints.First(h => h.Value<string>("label") == "→ 6×14×14");
        Assert.Equal((5, 16), (pool["position"]!.Value<int>("line"), pool["position"]!.Value<int>("character")));
        Assert.Contains(hints, h => h.Value<string>("label") == "1×28×28 → 10");

        var firstLines = await client.RequestAsync<JArray>("textDocument/inlayHint", new
        {
            textDocument = new { uri },
            range = new { start = new { line = 3, character = 0 }, end = new { line = 4, character = 100 } },
        });
        Assert.Equal(new[] { "→ 6×28×28", "→ 6×28×28" }, firstLines.Select(h => h.Value<string>("label")));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Signature_help_has_one_signature_with_markdown_docs_and_the_active_parameter()
    {
        var (text, carets) = TestDocs.Carets(LeNet);
        var (client, uri) = await OpenAsync("lenet.ann", text);
        await using var _ = client;
        var help = await client.RequestAsync<JObject>("textDocument/signatureHelp", new { textDocument = new { uri }, position = carets[1] });
        Assert.Equal(0, help.Value<int>("activeSignature"));
        Assert.Equal(3, help.Value<int>("activeParameter"));              // padding
        var signature = Assert.Single(help["signatures"]!);
        Assert.StartsWith("conv(filters: int", signature.Value<string>("label"));
        Assert.Equal(3, signature.Value<int>("activeParameter"));
        Assert.Equal("markdown", signature["documentation"]!.Value<string>("kind"));
        Assert.Equal("padding: int | HxW | same | valid = 0", signature["parameters"]![3]!.Value<string>("label"));
        var none = await client.RequestAsync<JToken>("textDocument/signatureHelp", new { textDocument = new { uri }, position = carets[2] });
        Assert.True(none is null || none.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Document_symbols_folding_and_semantic_tokens_are_translated()
    {
        var (text, _) = TestDocs.Carets(LeNet);
        var (client, uri) = await OpenAsync("lenet.ann", text);
        await using var _ = client;
        var symbols = await client.RequestAsync<JArray>("textDocument/documentSymbol", new { textDocument = new { uri } });
        Assert.Equal(new[] { "LeNet5", "train LeNet5" }, symbols.Select(s => s.Value<string>("name")));
        Assert.Equal((5, 24), (symbols[0].Value<int>("kind"), symbols[1].Value<int>("kind")));   // Class, Event
        Assert.Equal("LeNet5", TestDocs.Slice(text, symbols[0]["selectionRange"]!));
        var conv = symbols[0]["children"]![1]!;
        Assert.Equal((8, "→ 6×28×28"), (conv.Value<int>("kind"), conv.Value<string>("detail")));   // Field
        Assert.Null(conv["children"]);
        Assert.Equal("optimizer: adam(lr: 3e-3)", TestDocs.Slice(text, symbols[1]["children"]![1]!["range"]!));

        var folds = await client.RequestAsync<JArray>("textDocument/foldingRange", new { textDocument = new { uri } });
        Assert.Equal(new[] { (1, 10, "region"), (12, 14, "region") },
            folds.Select(f => (f.Value<int>("startLine"), f.Value<int>("endLine"), f.Value<string>("kind")!)));

        // The legend is the editor layer's token classes, in order.
        Assert.Equal(Enum.GetNames<TokenClass>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]), LspTranslator.TokenTypes);
        var tokens = await client.RequestAsync<JObject>("textDocument/semanticTokens/full", new { textDocument = new { uri } });
        var data = tokens["data"]!.Values<int>().ToList();
        Assert.Equal(0, data.Count % 5);
        var lines = text.Split('\n');
        int line = 0, ch = 0;
        var decoded = new List<(string Text, string Type, int Modifiers)>();
        for (int i = 0; i < data.Count; i += 5)
        {
            line += data[i];
            ch = data[i] == 0 ? ch + data[i + 1] : data[i + 1];
            decoded.Add((lines[line].Substring(ch, data[i + 2]), LspTranslator.TokenTypes[data[i + 3]], data[i + 4]));
        }
        Assert.Equal(("# A small LeNet.", "comment", 0), decoded[0]);
        Assert.Contains(("network", "keyword", 0), decoded);
        Assert.Contains(("LeNet5", "class", 1), decoded);                 // declaration
        Assert.Contains(("conv", "function", 2), decoded);                // defaultLibrary
        Assert.Contains(("kernel", "parameter", 0), decoded);
        Assert.Contains(("optimizer", "property", 0), decoded);
        Assert.Contains(("1x28x28", "number", 0), decoded);
        Assert.Contains(("->", "operator", 0), decoded);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Definition_references_highlight_and_rename_follow_symbols()
    {
        var (text, carets) = TestDocs.Carets("""
            block ConvBlock(f$0ilters) {
                conv(filters, kernel: 3, padding: 1)
                batchnorm
                relu
            }
            network N$0et {
                input(1x28x28)
                ConvBlock(8)
                Co$0nvBlock(16)
                flatten
                dense(10)
            }
            train Net { data: fashion_mnist }
            """);
        var (client, uri) = await OpenAsync("nav.ann", text);
        await using var _ = client;
        var use = carets[2];
        var definition = await client.RequestAsync<JArray>("textDocument/definition", new { textDocument = new { uri }, position = use });
        Assert.Equal("ConvBlock", TestDocs.Slice(text, Assert.Single(definition)["range"]!));
        Assert.Equal(0, definition[0]["range"]!["start"]!.Value<int>("line"));

        var references = await client.RequestAsync<JArray>("textDocument/references", new { textDocument = new { uri }, position = use, context = new { includeDeclaration = true } });
        Assert.Equal(3, references.Count);
        var highlights = await client.RequestAsync<JArray>("textDocument/documentHighlight", new { textDocument = new { uri }, position = use });
        Assert.Equal(new[] { 3, 2, 2 }, highlights.Select(h => h.Value<int>("kind")));

        var prepare = await client.RequestAsync<JObject>("textDocument/prepareRename", new { textDocument = new { uri }, position = carets[0] });
        Assert.Equal("filters", prepare.Value<string>("placeholder"));
        var rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = carets[0], newName = "channels" });
        var renamed = TestDocs.Apply(text, (JArray)rename["changes"]![uri]!);
        Assert.True(renamed.Contains("block ConvBlock(channels)"), renamed);
        Assert.True(renamed.Contains("conv(channels, kernel"), renamed);

        rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = carets[1], newName = "Classifier" });
        renamed = TestDocs.Apply(text, (JArray)rename["changes"]![uri]!);
        Assert.True(renamed.Contains("network Classifier {"), renamed);
        Assert.True(renamed.Contains("train Classifier {"), renamed);
        await client.ChangeFullAsync(uri, renamed, 2);
        Assert.DoesNotContain(await client.DiagnosticsAsync(uri, 2), d => d.Value<int>("severity") == 1);

        // The edited text has the same layout, so the carets still point at the same names.
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "conv" }));
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "9lives" }));
        var notASymbol = await client.RequestAsync<JToken>("textDocument/prepareRename", new { textDocument = new { uri }, position = new { line = 9, character = 6 } });
        Assert.True(notASymbol is null || notASymbol.Type == JTokenType.Null);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Definition_references_highlight_and_rename_follow_tensor_names()
    {
        var (text, carets) = TestDocs.Carets("""
            block Up(c, skip) { deconv(c, kernel: 2, stride: 2) -> concat(skip) }
            network U {
                input(1x8x8)
                conv(4, kernel: 2, stride: 2) as e$01
                conv(4, kernel: 2, stride: 2) as e2
                add(e2 -> conv(4, kernel: 1))
                conv(4, kernel: 2, stride: 2)
                Up(4, e2)
                Up(4, e$01)
                concat(e1)
            }
            """);
        var (client, uri) = await OpenAsync("tensors.ann", text);
        await using var _ = client;
        var use = carets[1];
        var definition = await client.RequestAsync<JArray>("textDocument/definition", new { textDocument = new { uri }, position = use });
        Assert.Equal("e1", TestDocs.Slice(text, Assert.Single(definition)["range"]!));
        Assert.Equal(3, definition[0]["range"]!["start"]!.Value<int>("line"));

        var references = await client.RequestAsync<JArray>("textDocument/references", new { textDocument = new { uri }, position = carets[0], context = new { includeDeclaration = true } });
        Assert.Equal(new[] { 3, 8, 9 }, references.Select(r => r["range"]!["start"]!.Value<int>("line")));
        references = await client.RequestAsync<JArray>("textDocument/references", new { textDocument = new { uri }, position = carets[0], context = new { includeDeclaration = false } });
        Assert.Equal(2, references.Count);
        // the name after `as` is written (3), its uses read (2)
        var highlights = await client.RequestAsync<JArray>("textDocument/documentHighlight", new { textDocument = new { uri }, position = use });
        Assert.Equal(new[] { 3, 2, 2 }, highlights.Select(h => h.Value<int>("kind")));

        var prepare = await client.RequestAsync<JObject>("textDocument/prepareRename", new { textDocument = new { uri }, position = use });
        Assert.Equal("e1", prepare.Value<string>("placeholder"));
        var rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "skip1" });
        var renamed = TestDocs.Apply(text, (JArray)rename["changes"]![uri]!);
        Assert.True(renamed.Contains("stride: 2) as skip1") && renamed.Contains("Up(4, skip1)") && renamed.Contains("concat(skip1)"), renamed);
        Assert.True(renamed.Contains("Up(4, e2)") && renamed.Contains("concat(skip)"), "other names stay: " + renamed);
        // a network's name does not clash with a tensor's; another tensor's name, time and a keyword do
        rename = await client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "U" });
        Assert.Equal(3, ((JArray)rename["changes"]![uri]!).Count);
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "e2" }));
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "time" }));
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("textDocument/rename", new { textDocument = new { uri }, position = use, newName = "network" }));
        await client.ChangeFullAsync(uri, renamed, 2);
        Assert.DoesNotContain(await client.DiagnosticsAsync(uri, 2), d => d.Value<int>("severity") == 1);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Code_lens_offers_train_and_network_summaries()
    {
        var text = TestDocs.Example("dcgan.ann");
        var (client, uri) = await OpenAsync("dcgan.ann", text);
        await using var _ = client;
        var lenses = await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } });
        var train = lenses.Where(l => l["command"]!.Value<string>("command") == "annlsp.train").ToList();
        Assert.Equal(2, train.Count);
        Assert.All(train, l => Assert.Equal("▶ Train", l["command"]!.Value<string>("title")));
        Assert.Equal(new[] { uri, "FashionGAN" }, train[0]["command"]!["arguments"]!.Values<string>());
        Assert.Equal(new[] { uri, "ShapesGAN" }, train[1]["command"]!["arguments"]!.Values<string>());
        var network = lenses.Where(l => l["command"]!.Value<string>("command") == "annlsp.showNetwork").ToList();
        Assert.Equal(4, network.Count);
        Assert.Matches(@"^[\d,]+ params · [\d.]+ [KMG]? ?mult-adds$", network[0]["command"]!.Value<string>("title"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Errors_show_in_hover_and_on_the_train_lens()
    {
        var (text, carets) = TestDocs.Carets("network Net {\n    input(1x28x28)\n    conv(16, kernel: 5)\n    pool(max, 2)\n    d$0ense(120)\n}\ntrain Net { data: fashion_mnist }\n");
        var (client, uri) = await OpenAsync("mistake.ann", text);
        await using var _ = client;
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = carets[0] });
        Assert.StartsWith("⚠ **ANN3001** dense expects a vector but receives 16×12×12", hover["contents"]!.Value<string>("value"));
        var lenses = await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } });
        var train = Assert.Single(lenses, l => l["command"]!.Value<string>("title")!.StartsWith("▶ Train"));
        Assert.Equal("▶ Train — fix 1 error first", train["command"]!.Value<string>("title"));
        Assert.Equal("", train["command"]!.Value<string>("command"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Network_graph_command_returns_layers_with_shapes()
    {
        var text = TestDocs.Example("lenet.ann");
        var (client, uri) = await OpenAsync("lenet.ann", text);
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

    [Fact]
    public async Task Network_graph_command_draws_a_unet_that_a_conditional_gan_uses()
    {
        var text = TestDocs.Example("unet.ann");
        var (client, uri) = await OpenAsync("unet.ann", text);
        await using var _ = client;
        var graph = await client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.networkGraph", arguments = new[] { uri, "UNet" } });
        var nodes = (JArray)graph["nodes"]!;
        Assert.True(25 == nodes.Count, graph.ToString());
        Assert.Equal(3, nodes.Count(n => n.Value<string>("kind") == "concat"));
    }

    [Fact]
    public async Task Network_graph_command_returns_the_graph_nodes_with_their_inputs()
    {
        // vgg.ann: two VggBlock uses (7 layers each), a residual whose body is conv -> batchnorm -> relu, then three layers
        var text = TestDocs.Example("vgg.ann");
        var (client, uri) = await OpenAsync("vgg.ann", text);
        await using var _ = client;
        var graph = await client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.networkGraph", arguments = new[] { uri, "VggFashion" } });
        var nodes = (JArray)graph["nodes"]!;
        Assert.True(1 + 14 + 3 + 1 + 3 == nodes.Count, graph.ToString());
        Assert.Equal(Enumerable.Range(0, nodes.Count), nodes.Select(n => n.Value<int>("id")));
        Assert.Equal("input", nodes[0].Value<string>("kind"));
        Assert.Empty(nodes[0]["inputs"]!);
        Assert.Equal(new[] { 1, 28, 28 }, nodes[0]["output"]!.Values<int>());

        // the residual's join reads its body's output and, as a skip, the residual's input (the second pool)
        var join = Assert.Single(nodes, n => n.Value<string>("kind") == "add");
        int j = join.Value<int>("id");
        Assert.Equal(18, j);
        Assert.Equal("residual", join.Value<string>("label"));
        Assert.Equal(new[] { 17, 14 }, join["inputs"]!.Values<int>());
        Assert.Equal("pool", nodes[14].Value<string>("kind"));
        Assert.Equal(new[] { 64, 7, 7 }, nodes[14]["output"]!.Values<int>());
        Assert.Equal(new[] { 64, 7, 7 }, join["output"]!.Values<int>());
        Assert.Equal(0, join.Value<long>("params"));
        Assert.Equal(12, join.Value<int>("line"));
        Assert.Equal("layers.14", join.Value<string>("key"));
        Assert.Equal("layers.14.body.0", nodes[15].Value<string>("key"));
        Assert.Equal(13, nodes[15].Value<int>("line"));
        Assert.Equal(j, graph.Value<int>("outputNode") - 3);

        // everything else is a chain: each node reads the one before it; a block's layers point at the line of its use
        foreach (var n in nodes.Skip(1).Where(n => n.Value<int>("id") != j))
            Assert.Equal(new[] { n.Value<int>("id") - 1 }, n["inputs"]!.Values<int>());
        Assert.Equal(10, nodes[1].Value<int>("line"));
        Assert.Equal("layers.0", nodes[1].Value<string>("key"));
        // the nodes' own counts add up to the network's (a join has none of its own)
        Assert.Equal(graph.Value<long>("params"), nodes.Sum(n => n.Value<long>("params")));
        Assert.Equal(graph.Value<long>("macs"), nodes.Sum(n => n.Value<long>("macs")));
        Assert.Equal(0, await client.ShutdownAsync());
    }
}
