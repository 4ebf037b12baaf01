using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Annlsp.Server.Transport;
using Nerdbank.Streams;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

// annlsp server latency benchmark, over real JSON-RPC to a child process.
//   latency [--lines N] [--iterations N] [--server CMD ARGS…]   didChange → publishDiagnostics (the first 15 edits after
//                                                               open, then warm) and completion/hover round trips
//   startup [--runs N] [--server CMD ARGS…]                     spawn → initialize result
//   huge [--mb N] [--shape networks|layers] [--cap-mb N] [--timeout S] [--server CMD ARGS…]
//                                                               a document of N MB: peak RSS, answer time and size per request
// Default server: dotnet <this folder>/annlsp-server.dll. Prints p50/p90 (and min/max) in milliseconds.
var mode = args.Length > 0 ? args[0] : "latency";
int Option(string name, int fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback; }
string[] server = Array.IndexOf(args, "--server") is int s and >= 0 ? args[(s + 1)..] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "annlsp-server.dll")];

switch (mode)
{
    case "latency":
        await Bench.LatencyAsync(server, Option("--lines", 10_000), Option("--iterations", 60));
        break;
    case "core":
        Bench.Core(Option("--lines", 10_000), Option("--iterations", 30));
        break;
    case "startup":
        await Bench.StartupAsync(server, Option("--runs", 15));
        break;
    case "huge":
        await HugeDocument.RunAsync(server, Option("--mb", 20), Array.IndexOf(args, "--shape") is int h and >= 0 ? args[h + 1] : "networks",
            Option("--cap-mb", 4096), Option("--timeout", 60));
        break;
    default:
        Console.WriteLine("usage: Annlsp.Server.Bench latency [--lines N] [--iterations N] [--server CMD…] | startup [--runs N] [--server CMD…] | huge [--mb N] [--shape networks|layers] [--cap-mb N] [--timeout S] [--server CMD…]");
        return 2;
}
return 0;

static partial class Bench
{
    public static string Generate(int lines)
    {
        var sb = new StringBuilder();
        sb.AppendLine("block ConvBlock(filters) {\n    conv(filters, kernel: 3, padding: 1)\n    batchnorm\n    relu\n}");
        int n = 0;
        while (sb.ToString().Count(c => c == '\n') < lines - 20)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""
                # network {n}
                network Net{n} {"{"}
                    input(1x28x28)
                    conv(6, kernel: 5, padding: 2) -> relu
                    pool(max, 2)
                    ConvBlock(16)
                    conv(16, kernel: 5)
                    relu
                    pool(max, 2)
                    flatten
                    dense(120) -> relu
                    dense(84) -> relu
                    dense(10)
                    softmax
                {"}"}
                train Net{n} {"{"}
                    data: fashion_mnist
                    epochs: 1
                {"}"}

                """);
            n++;
        }
        return sb.ToString();
    }

    internal sealed class Client : IAsyncDisposable
    {
        public readonly JsonRpc Rpc;
        public readonly Process Process;
        public readonly ConcurrentDictionary<int, TaskCompletionSource<JToken>> Diagnostics = new();

        public Client(string[] command)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
            Process = Process.Start(start)!;
            Process.ErrorDataReceived += (_, _) => { };
            Process.BeginErrorReadLine();
            var stream = FullDuplexStream.Splice(Process.StandardOutput.BaseStream, Process.StandardInput.BaseStream);
            Rpc = new JsonRpc(new HeaderDelimitedMessageHandler(stream, stream, LspSerializer.CreateFormatter()));
            Rpc.AddLocalRpcMethod("textDocument/publishDiagnostics", new Action<JToken>(p =>
            {
                int version = p.Value<int?>("version") ?? -1;
                Diagnostics.GetOrAdd(version, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(p);
            }));
            Rpc.AddLocalRpcMethod("window/logMessage", new Action<JToken>(_ => { }));
            Rpc.StartListening();
        }

        public Task<JToken> DiagnosticsFor(int version) => Diagnostics.GetOrAdd(version, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public async Task InitializeAsync()
        {
            await Rpc.InvokeWithParameterObjectAsync<JToken>("initialize", new { processId = Environment.ProcessId, capabilities = new { } });
            await Rpc.NotifyWithParameterObjectAsync("initialized", new { });
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Rpc.InvokeAsync<object?>("shutdown").WaitAsync(TimeSpan.FromSeconds(10));
                await Rpc.NotifyAsync("exit");
                await Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception) { if (!Process.HasExited) Process.Kill(true); }
            Rpc.Dispose();
        }
    }

    private const int FirstEdits = 15;

    public static async Task LatencyAsync(string[] server, int lines, int iterations)
    {
        var text = Generate(lines);
        int lineCount = text.Count(c => c == '\n');
        Console.WriteLine($"server: {string.Join(' ', server)}");
        Console.WriteLine($"document: {lineCount:N0} lines, {text.Length / 1024.0:N0} KiB; {iterations} iterations after {iterations / 3} warm-up");
        await using var client = new Client(server);
        await client.InitializeAsync();
        const string uri = "file:///bench/big.ann";
        var opened = Stopwatch.StartNew();
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "ann", version = 1, text } });
        var first = await client.DiagnosticsFor(1).WaitAsync(TimeSpan.FromSeconds(120));
        Console.WriteLine($"didOpen → first diagnostics: {opened.Elapsed.TotalMilliseconds:F1} ms ({first["diagnostics"]!.Count()} diagnostics)");

        // Keystrokes in the middle of the document: change `dense(120)` of a middle network to `dense(121)` and back.
        var lineTexts = text.Split('\n');
        int target = Array.FindIndex(lineTexts, lineCount / 2, l => l.Contains("dense(120)"));
        int column = lineTexts[target].IndexOf("120", StringComparison.Ordinal) + 2;
        var diag = new List<double>();
        var cold = new List<double>();   // what a user meets: the first edits after open, no warm-up
        int version = 1;
        int warm = iterations / 3;
        for (int i = 0; i < iterations + warm; i++)
        {
            version++;
            string digit = (i % 2 == 0) ? "1" : "0";
            var watch = Stopwatch.StartNew();
            await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version },
                contentChanges = new[] { new { range = new { start = new { line = target, character = column }, end = new { line = target, character = column + 1 } }, text = digit } },
            });
            await client.DiagnosticsFor(version).WaitAsync(TimeSpan.FromSeconds(60));
            if (i < FirstEdits) cold.Add(watch.Elapsed.TotalMilliseconds);
            if (i >= warm) diag.Add(watch.Elapsed.TotalMilliseconds);
            await Task.Delay(20);   // a typist, not a burst: each keystroke is measured alone
        }
        Report($"first {FirstEdits} edits after open", cold, 30);
        Report("didChange → publishDiagnostics", diag, 30);

        // Completion at the start of a layer line in the middle of the document.
        var completion = new List<double>();
        int layerLine = target + 1;
        for (int i = 0; i < iterations + warm; i++)
        {
            var watch = Stopwatch.StartNew();
            var list = await client.Rpc.InvokeWithParameterObjectAsync<JObject>("textDocument/completion", new
            {
                textDocument = new { uri },
                position = new { line = layerLine, character = 4 },
            });
            if (i >= warm) completion.Add(watch.Elapsed.TotalMilliseconds);
            if (!list["items"]!.Any(x => x.Value<string>("label") == "conv")) throw new InvalidOperationException("completion did not offer conv");
        }
        Report("completion round trip", completion, 10);

        var hover = new List<double>();
        for (int i = 0; i < iterations + warm; i++)
        {
            var watch = Stopwatch.StartNew();
            await client.Rpc.InvokeWithParameterObjectAsync<JObject>("textDocument/hover", new { textDocument = new { uri }, position = new { line = target, character = 6 } });
            if (i >= warm) hover.Add(watch.Elapsed.TotalMilliseconds);
        }
        Report("hover round trip", hover, null);
    }

    /// <summary>The language core alone (no JSON-RPC): how much of the keystroke latency is analysis.</summary>
    public static void Core(int lines, int iterations)
    {
        var text = Generate(lines);
        var times = new List<double>();
        const int warm = 40; // tiered compilation with dynamic PGO settles after some 30 analyses
        for (int i = 0; i < iterations + warm; i++)
        {
            var watch = Stopwatch.StartNew();
            var analysis = Annlsp.Language.DocumentAnalysis.Analyze(text);
            if (i >= warm) times.Add(watch.Elapsed.TotalMilliseconds);
            GC.KeepAlive(analysis);
        }
        Report($"DocumentAnalysis.Analyze ({text.Count(c => c == '\n'):N0} lines)", times, null);
    }

    public static async Task StartupAsync(string[] server, int runs)
    {
        Console.WriteLine($"server: {string.Join(' ', server)}");
        var times = new List<double>();
        for (int i = 0; i < runs + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var client = new Client(server);
            await client.InitializeAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (i == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first spawn → initialize (disk cache cold or warm as found): {elapsed:F1} ms"));
            else times.Add(elapsed);
        }
        Report("spawn → initialize result", times, 50);
    }

    private static void Report(string name, List<double> samples, double? target)
    {
        samples.Sort();
        double P(double q) => samples[Math.Clamp((int)Math.Ceiling(q * samples.Count) - 1, 0, samples.Count - 1)];
        var verdict = target is null ? "" : P(0.5) <= target ? $"  (target p50 ≤ {target} ms: met)" : $"  (target p50 ≤ {target} ms: MISSED)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} p50 {P(0.5),7:F2} ms   p90 {P(0.9),7:F2} ms   min {samples[0],7:F2}   max {samples[^1],7:F2}   n={samples.Count}{verdict}"));
    }
}
