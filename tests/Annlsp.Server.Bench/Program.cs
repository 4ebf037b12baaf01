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
//   --trace (latency, startup)                                  also where the time goes: the server's ANNLSP_TIMING
//                                                               steps, per segment (p50 wall and server CPU)
//   huge [--mb N] [--shape networks|layers] [--cap-mb N] [--timeout S] [--server CMD ARGS…]
//                                                               a document of N MB: peak RSS, answer time and size per request
// Default server: dotnet <this folder>/annlsp-server.dll. Prints p50/p90 (and min/max) in milliseconds.
var mode = args.Length > 0 ? args[0] : "latency";
int Option(string name, int fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback; }
string[] server = Array.IndexOf(args, "--server") is int s and >= 0 ? args[(s + 1)..] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "annlsp-server.dll")];

switch (mode)
{
    case "latency":
        await Bench.LatencyAsync(server, Option("--lines", 10_000), Option("--iterations", 60), args.Contains("--trace"));
        break;
    case "core":
        Bench.Core(Option("--lines", 10_000), Option("--iterations", 30));
        break;
    case "startup":
        await Bench.StartupAsync(server, Option("--runs", 15), args.Contains("--trace"));
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
        /// <summary>When each version's diagnostics arrived (Stopwatch ticks).</summary>
        public readonly ConcurrentDictionary<int, long> DiagnosticsArrived = new();
        /// <summary>Stopwatch ticks just before the server process was started.</summary>
        public readonly long Spawned;
        /// <summary>The server's timing steps (ANNLSP_TIMING), when traced.</summary>
        public readonly ConcurrentQueue<TimingStep> Steps = new();

        public Client(string[] command, bool trace = false)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
            if (trace) start.Environment[TimingTrace.Variable] = "1";
            Spawned = Stopwatch.GetTimestamp();
            Process = Process.Start(start)!;
            Process.ErrorDataReceived += (_, e) => { if (TimingStep.TryParse(e.Data) is { } step) Steps.Enqueue(step); };
            Process.BeginErrorReadLine();
            var stream = FullDuplexStream.Splice(Process.StandardOutput.BaseStream, Process.StandardInput.BaseStream);
            Rpc = new JsonRpc(new HeaderDelimitedMessageHandler(stream, stream, LspSerializer.CreateFormatter()));
            Rpc.AddLocalRpcMethod("textDocument/publishDiagnostics", new Action<JToken>(p =>
            {
                int version = p.Value<int?>("version") ?? -1;
                DiagnosticsArrived.TryAdd(version, Stopwatch.GetTimestamp());
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

    public static async Task LatencyAsync(string[] server, int lines, int iterations, bool trace = false)
    {
        var text = Generate(lines);
        int lineCount = text.Count(c => c == '\n');
        Console.WriteLine($"server: {string.Join(' ', server)}");
        Console.WriteLine($"document: {lineCount:N0} lines, {text.Length / 1024.0:N0} KiB; {iterations} iterations after {iterations / 3} warm-up");
        await using var client = new Client(server, trace);
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
        var sent = new List<(int Version, long At)>();
        int version = 1;
        int warm = iterations / 3;
        for (int i = 0; i < iterations + warm; i++)
        {
            version++;
            string digit = (i % 2 == 0) ? "1" : "0";
            var watch = Stopwatch.StartNew();
            sent.Add((version, Stopwatch.GetTimestamp()));
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
        if (trace)
        {
            await Task.Delay(500);   // the last steps' stderr lines
            ReportEditSteps(client, sent.Take(FirstEdits).ToList(), $"where the time goes, first {FirstEdits} edits");
            ReportEditSteps(client, sent.Skip(warm).ToList(), "where the time goes, edits after warm-up");
        }

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

    public static async Task StartupAsync(string[] server, int runs, bool trace = false)
    {
        Console.WriteLine($"server: {string.Join(' ', server)}");
        var times = new List<double>();
        var segments = new Dictionary<string, List<double>>();
        for (int i = 0; i < runs + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var client = new Client(server, trace);
            await client.InitializeAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            long answered = Stopwatch.GetTimestamp();
            if (i == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first spawn → initialize (disk cache cold or warm as found): {elapsed:F1} ms"));
            else
            {
                times.Add(elapsed);
                if (trace) AddStartupSegments(client, answered, segments);
            }
        }
        Report("spawn → initialize result", times, 50);
        if (trace)
        {
            Console.WriteLine("where the time goes (p50 over the runs; wall ms, and the server's CPU ms in the segment):");
            foreach (var (name, samples) in segments) Report("  " + name, samples, null);
        }
    }

    /// <summary>The server's steps from spawn to the initialize answer, as segments (wall ms; "cpu …" rows: the server's CPU ms).</summary>
    private static void AddStartupSegments(Client client, long answered, Dictionary<string, List<double>> segments)
    {
        SpinWait.SpinUntil(() => client.Steps.Any(s => s.Name == "flushed"), 2000);
        var steps = client.Steps.ToList();
        TimingStep? Find(string name) => steps.FirstOrDefault(s => s.Name.StartsWith(name, StringComparison.Ordinal));
        var marks = new (string Label, TimingStep? Step)[]
        {
            ("main", Find("main")), ("listening", Find("listening")), ("initialize frame read", Find("frame")),
            ("dispatch", Find("dispatch initialize")), ("handler done", Find("dispatched initialize")),
            ("serialized", Find("serialized response")), ("flushed", Find("flushed")),
        };
        long previous = client.Spawned;
        double previousCpu = 0;
        string previousLabel = "spawn";
        foreach (var (label, step) in marks)
        {
            if (step is null) continue;
            Add(segments, $"{previousLabel} → {label}", Stopwatch.GetElapsedTime(previous, step.Ticks).TotalMilliseconds);
            Add(segments, $"{previousLabel} → {label}, server CPU", step.CpuMs - previousCpu);
            (previous, previousCpu, previousLabel) = (step.Ticks, step.CpuMs, label);
        }
        Add(segments, $"{previousLabel} → client has the result", Stopwatch.GetElapsedTime(previous, answered).TotalMilliseconds);
        Add(segments, "server CPU, start → answered", previousCpu);
    }

    /// <summary>Per edit: from the client's send to its receipt of that version's diagnostics, split at the server's steps.</summary>
    private static void ReportEditSteps(Client client, List<(int Version, long At)> edits, string title)
    {
        var steps = client.Steps.ToList();
        var segments = new Dictionary<string, List<double>>();
        foreach (var (version, at) in edits)
        {
            if (!client.DiagnosticsArrived.TryGetValue(version, out long arrived)) continue;
            var window = steps.Where(s => s.Ticks >= at && s.Ticks <= arrived).ToList();
            TimingStep? After(TimingStep? from, string name) => from is null ? null : window.FirstOrDefault(s => s.Ticks >= from.Ticks && s.Name.StartsWith(name, StringComparison.Ordinal));
            var frame = window.FirstOrDefault(s => s.Name.StartsWith("frame", StringComparison.Ordinal));
            var dispatch = After(frame, "dispatch textDocument/didChange");
            var dispatched = After(dispatch, "dispatched textDocument/didChange");
            var start = After(dispatched, $"analysis start v{version}");
            if (start is not null && start.Name != $"analysis start v{version}") start = null;
            var end = After(start, $"analysis end v{version} ");
            var write = After(end, "write textDocument/publishDiagnostics");
            var serialized = After(write, "serialized textDocument/publishDiagnostics");
            var flushed = After(serialized, "flushed");
            if (flushed is null) continue;
            var marks = new (string Label, TimingStep Step)[]
            {
                ("frame read", frame!), ("dispatch", dispatch!), ("didChange done", dispatched!), ("analysis start", start!),
                ("analysis end", end!), ("publish write", write!), ("serialized", serialized!), ("flushed", flushed),
            };
            long previous = at;
            string previousLabel = "client sent";
            foreach (var (label, step) in marks)
            {
                Add(segments, $"{previousLabel} → {label}", Stopwatch.GetElapsedTime(previous, step.Ticks).TotalMilliseconds);
                (previous, previousLabel) = (step.Ticks, label);
            }
            Add(segments, $"{previousLabel} → client has it", Stopwatch.GetElapsedTime(previous, arrived).TotalMilliseconds);
            Add(segments, "server CPU, frame → flushed", flushed.CpuMs - frame!.CpuMs);
            Add(segments, "server CPU in the analysis", end!.CpuMs - start!.CpuMs);
        }
        Console.WriteLine($"{title} (p50 wall ms per segment):");
        foreach (var (name, samples) in segments) Report("  " + name, samples, null);
    }

    private static void Add(Dictionary<string, List<double>> segments, string name, double value)
    {
        if (!segments.TryGetValue(name, out var list)) segments[name] = list = new List<double>();
        list.Add(value);
    }

    private static void Report(string name, List<double> samples, double? target)
    {
        if (samples.Count == 0) { Console.WriteLine($"{name,-32} no samples"); return; }
        samples.Sort();
        double P(double q) => samples[Math.Clamp((int)Math.Ceiling(q * samples.Count) - 1, 0, samples.Count - 1)];
        var verdict = target is null ? "" : P(0.5) <= target ? $"  (target p50 ≤ {target} ms: met)" : $"  (target p50 ≤ {target} ms: MISSED)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} p50 {P(0.5),7:F2} ms   p90 {P(0.9),7:F2} ms   min {samples[0],7:F2}   max {samples[^1],7:F2}   n={samples.Count}{verdict}"));
    }
}

/// <summary>One line of the server's ANNLSP_TIMING trace (Annlsp.Server.Transport.TimingTrace).</summary>
sealed record TimingStep(long Ticks, double CpuMs, string Name)
{
    public static TimingStep? TryParse(string? line)
    {
        if (line is null || !line.StartsWith(TimingTrace.Prefix, StringComparison.Ordinal)) return null;
        var parts = line[TimingTrace.Prefix.Length..].Split(' ', 3);
        return parts.Length == 3 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out long ticks)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double cpu)
            ? new TimingStep(ticks, cpu, parts[2]) : null;
    }
}
