using System.Diagnostics;
using System.Text;
using Annlsp.Language.Text;
using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server.Tests;

/// <summary>Robustness under load: rapid edits, request storms with cancellation, a document just under the analysis limit.</summary>
public class StressTests
{
    [Fact]
    public async Task A_thousand_rapid_incremental_edits_end_with_the_diagnostics_of_a_fresh_open()
    {
        var random = new Random(1234);
        var text = TestDocs.Example("lenet.ann") + "\n# ünïcödé and 😀 surrogate pairs keep UTF-16 columns honest\n";
        await using var client = await TestServer.StartAsync(new ServerOptions { DiagnosticsDelay = TimeSpan.FromMilliseconds(5) });
        var uri = TestDocs.Uri("edits.ann");
        await client.OpenAsync(uri, text);
        string[] pieces = ["conv(8, kernel: 3)", "relu", "\n", " ", "->", "dense(", ")", "😀", "x", "#", "pool(max, 2)\n", "{", "}"];
        for (int version = 2; version <= 1001; version++)
        {
            var source = new SourceText(text);
            int a = random.Next(text.Length + 1), b = Math.Min(text.Length, a + random.Next(0, 6));
            // Never split a surrogate pair: LSP positions are UTF-16 code units and clients do not split them.
            if (a > 0 && a < text.Length && char.IsLowSurrogate(text[a])) a--;
            if (b > 0 && b < text.Length && char.IsLowSurrogate(text[b])) b++;
            if (b < a) b = a;
            string insert = random.Next(3) == 0 ? "" : pieces[random.Next(pieces.Length)];
            var start = source.GetPosition(a);
            var end = source.GetPosition(b);
            await client.ChangeAsync(uri, version, new Protocol.Range(new Protocol.Position(start.Line, start.Character), new Protocol.Position(end.Line, end.Character)), insert);
            text = text[..a] + insert + text[b..];
        }
        var final = await client.DiagnosticsAsync(uri, 1001, TimeSpan.FromSeconds(60));
        var published = client.Notifications.Where(n => n.Method == "textDocument/publishDiagnostics" && n.Params.Value<string>("uri") == uri).ToList();
        Assert.True(published.Count < 1001, $"bursts are coalesced: {published.Count} publishes for 1001 versions");
        var versions = published.Select(p => p.Params.Value<int>("version")).ToList();
        Assert.Equal(versions.OrderBy(v => v), versions);   // never back to an older version

        var fresh = TestDocs.Uri("fresh.ann");
        await client.OpenAsync(fresh, text);
        var expected = await client.DiagnosticsAsync(fresh, 1);
        Assert.Equal(expected.ToString(), final.ToString());
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task A_request_storm_with_cancellations_is_answered_and_the_server_stays_up()
    {
        var text = TestDocs.Example("dcgan.ann");
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("storm.ann");
        await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, 1);
        var methods = new[] { "textDocument/hover", "textDocument/completion", "textDocument/signatureHelp", "textDocument/documentHighlight", "textDocument/definition" };
        var tasks = new List<(Task<JToken> Task, bool Cancelled)>();
        for (int i = 0; i < 400; i++)
        {
            using var cts = new CancellationTokenSource();
            var position = TestDocs.At(text, "deconv", i % 5);
            var call = client.RequestAsync<JToken>(methods[i % methods.Length], new { textDocument = new { uri }, position }, i % 2 == 0 ? cts.Token : CancellationToken.None);
            if (i % 2 == 0) cts.Cancel();
            tasks.Add((call, i % 2 == 0));
            if (i % 50 == 0) await client.ChangeFullAsync(uri, text + new string('\n', i / 50), 2 + i / 50);
        }
        int answered = 0, cancelled = 0;
        foreach (var (task, wasCancelled) in tasks)
        {
            try { await task; answered++; }
            catch (OperationCanceledException) when (wasCancelled) { cancelled++; }
            catch (RemoteInvocationException e) when (e.ErrorCode == -32801) { answered++; }   // ContentModified: the text changed under it
        }
        Assert.Equal(400, answered + cancelled);
        Assert.True(answered >= 200, $"{answered} answered");
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(text, "deconv", 2) });
        Assert.Contains("deconv", hover["contents"]!.Value<string>("value"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task A_document_just_under_the_analysis_limit_is_analysed_and_answered_without_document_wide_features()
    {
        var block = TestDocs.Example("lenet.ann").Replace("LeNet5", "Net{0}");
        var sb = new StringBuilder();
        int n = 0;
        int limit = new ServerOptions().AnalysisLimit;
        while (sb.Length + block.Length + 16 < limit) sb.Append(block.Replace("{0}", (n++).ToString())).Append('\n');
        var text = sb.ToString();
        await using var client = await TestServer.StartAsync();
        var uri = TestDocs.Uri("huge.ann");
        var watch = Stopwatch.StartNew();
        await client.OpenAsync(uri, text);
        var diagnostics = await client.DiagnosticsAsync(uri, 1, TimeSpan.FromSeconds(120));
        var analysed = watch.Elapsed;
        Assert.DoesNotContain(diagnostics, d => d.Value<int>("severity") == 1);
        var notice = Assert.Single(diagnostics, d => d.Value<string>("code") == "ANN5008");
        Assert.Equal(3, notice.Value<int>("severity"));
        Assert.DoesNotContain("not analysed", notice.Value<string>("message"));
        Assert.Empty(await client.RequestAsync<JArray>("textDocument/documentSymbol", new { textDocument = new { uri } }));
        var last = $"Net{n - 1}";
        var hover = await client.RequestAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = TestDocs.At(text, last + " {", 1) });
        Assert.Contains("61,706", hover["contents"]!.Value<string>("value"));
        var completion = await client.RequestAsync<JObject>("textDocument/completion", new { textDocument = new { uri }, position = TestDocs.At(text, "    elu", 4, occurrence: 5000) });
        Assert.Contains(completion["items"]!, i => i.Value<string>("label") == "conv");
        // An edit at the end is picked up too.
        var end = new SourceText(text).GetPosition(text.Length);
        await client.ChangeAsync(uri, 2, new Protocol.Range(new Protocol.Position(end.Line, end.Character), new Protocol.Position(end.Line, end.Character)), "network Broken { input(4) conv(3, kernel: 2) }\n");
        var after = await client.DiagnosticsAsync(uri, 2, TimeSpan.FromSeconds(120));
        Assert.Contains(after, d => d.Value<string>("code") == "ANN3002");
        Assert.Equal(0, await client.ShutdownAsync());
        Console.WriteLine($"{text.Length / 1048576.0:F1} MB document ({n} networks): first diagnostics after {analysed.TotalMilliseconds:F0} ms");
    }
}
