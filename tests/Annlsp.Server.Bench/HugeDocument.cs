using System.Diagnostics;
using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

/// <summary>
/// A very large document against the server as a child process: the time to the first diagnostics, every
/// document-wide request (answer time and size) and a hover/completion/edit, then the server's peak RSS
/// (VmHWM). A watchdog kills the server when its RSS passes --cap-mb, so a runaway server cannot take the
/// machine down; the report then says where it was killed.
/// </summary>
static class HugeDocument
{
    /// <summary>`networks`: LeNet-style networks one after another (many declarations); `layers`: one network with
    /// as many layers as fit (one declaration with a huge body).</summary>
    public static string Generate(int megabytes, string shape)
    {
        var sb = new StringBuilder();
        long target = megabytes * 1024L * 1024L;
        if (shape == "layers")
        {
            sb.Append("network Huge {\n    input(1x28x28)\n");
            while (sb.Length < target) sb.Append("    conv(6, kernel: 3, padding: 1) -> relu\n");
            sb.Append("    flatten\n    dense(10)\n}\ntrain Huge {\n    data: fashion_mnist\n}\n");
            return sb.ToString();
        }
        int n = 0;
        while (sb.Length < target)
        {
            sb.Append(CultureInfo.InvariantCulture, $$"""
                network Net{{n}} {
                    input(1x28x28)
                    conv(6, kernel: 5, padding: 2) -> relu
                    pool(max, 2)
                    conv(16, kernel: 5)
                    relu
                    pool(max, 2)
                    flatten
                    dense(120) -> relu
                    dense(84) -> relu
                    dense(10)
                    softmax
                }
                train Net{{n}} {
                    data: fashion_mnist
                    epochs: 1
                }

                """);
            n++;
        }
        return sb.ToString();
    }

    public static async Task RunAsync(string[] server, int megabytes, string shape, int capMb, int timeoutSeconds)
    {
        var text = Generate(megabytes, shape);
        var lines = text.Split('\n');
        Console.WriteLine($"server: {string.Join(' ', server)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"document: {shape}, {text.Length / 1048576.0:F1} MB, {lines.Length:N0} lines; each answer waited for at most {timeoutSeconds} s; RSS cap {capMb} MB"));
        await using var client = new Bench.Client(server);
        int pid = client.Process.Id;
        long peakSeen = 0;
        bool killed = false;
        using var stopWatchdog = new CancellationTokenSource();
        var watchdog = Task.Run(async () =>
        {
            while (!stopWatchdog.IsCancellationRequested && !client.Process.HasExited)
            {
                long rss = ReadStatusKb(pid, "VmRSS:") / 1024;
                peakSeen = Math.Max(peakSeen, rss);
                if (rss > capMb)
                {
                    killed = true;
                    Console.WriteLine($"  !! RSS {rss} MB passed the cap of {capMb} MB: server killed");
                    try { client.Process.Kill(true); } catch (InvalidOperationException) { }
                    return;
                }
                try { await Task.Delay(50, stopWatchdog.Token); } catch (OperationCanceledException) { }
            }
        });
        await client.InitializeAsync();
        const string uri = "file:///bench/huge.ann";
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);

        var watch = Stopwatch.StartNew();
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "ann", version = 1, text } });
        await Measure("didOpen → publishDiagnostics", async () => (await client.DiagnosticsFor(1).WaitAsync(timeout)).ToString(Newtonsoft.Json.Formatting.None), watch);

        var document = new { uri };
        int middle = lines.Length / 2;
        int layerLine = Array.FindIndex(lines, middle, l => l.Contains("conv(", StringComparison.Ordinal));
        var position = new { line = layerLine, character = lines[layerLine].IndexOf("conv", StringComparison.Ordinal) + 1 };
        var whole = new { start = new { line = 0, character = 0 }, end = new { line = lines.Length, character = 0 } };
        var requests = new (string Method, object Params)[]
        {
            ("textDocument/documentSymbol", new { textDocument = document }),
            ("textDocument/semanticTokens/full", new { textDocument = document }),
            ("textDocument/foldingRange", new { textDocument = document }),
            ("textDocument/inlayHint", new { textDocument = document, range = whole }),
            ("textDocument/codeLens", new { textDocument = document }),
            ("textDocument/formatting", new { textDocument = document, options = new { tabSize = 4, insertSpaces = true } }),
            ("textDocument/hover", new { textDocument = document, position }),
            ("textDocument/completion", new { textDocument = document, position = new { line = layerLine, character = 4 } }),
            ("textDocument/documentHighlight", new { textDocument = document, position }),
            ("textDocument/codeAction", new { textDocument = document, range = new { start = position, end = position }, context = new { diagnostics = Array.Empty<object>() } }),
        };
        foreach (var (method, parameters) in requests)
        {
            if (client.Process.HasExited) break;
            await Measure(method, async () => (await client.Rpc.InvokeWithParameterObjectAsync<JToken>(method, parameters).WaitAsync(timeout))?.ToString(Newtonsoft.Json.Formatting.None) ?? "null");
        }
        if (!client.Process.HasExited)
        {
            watch = Stopwatch.StartNew();
            await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = 2 },
                contentChanges = new[] { new { range = new { start = new { line = layerLine, character = 0 }, end = new { line = layerLine, character = 0 } }, text = "    relu\n" } },
            });
            await Measure("didChange → publishDiagnostics", async () => (await client.DiagnosticsFor(2).WaitAsync(timeout)).ToString(Newtonsoft.Json.Formatting.None), watch);
        }
        long hwm = client.Process.HasExited ? 0 : ReadStatusKb(pid, "VmHWM:") / 1024;
        stopWatchdog.Cancel();
        await watchdog;
        Console.WriteLine(killed
            ? $"peak RSS: over {capMb} MB (killed by the watchdog)"
            : $"peak RSS (VmHWM): {Math.Max(hwm, peakSeen)} MB");

        async Task Measure(string name, Func<Task<string>> call, Stopwatch? started = null)
        {
            var w = started ?? Stopwatch.StartNew();
            try
            {
                var answer = await call();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-36} {w.Elapsed.TotalMilliseconds,9:F0} ms   answer {answer.Length / 1024.0,10:F1} KiB   RSS now {ReadStatusKb(pid, "VmRSS:") / 1024} MB"));
            }
            catch (TimeoutException) { Console.WriteLine($"  {name,-36} no answer within {timeoutSeconds} s"); }
            catch (Exception e) { Console.WriteLine($"  {name,-36} failed after {w.Elapsed.TotalMilliseconds:F0} ms: {e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
        }
    }

    private static long ReadStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }
}
