using System.Collections.Concurrent;
using System.Diagnostics;
using Annlsp.Server;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Nerdbank.Streams;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>
/// A real JSON-RPC client (StreamJsonRpc on this side too) talking LSP to the server, either in-process over a
/// duplex pipe or to a child process over stdio. Records every notification the server sends.
/// </summary>
public sealed class LspClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Task<int>? _serverTask;
    private readonly Process? _process;
    private readonly ConcurrentQueue<(string Method, JToken Params)> _notifications = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private int _initialised;

    private LspClient(Stream stream, Task<int>? serverTask, Process? process)
    {
        _stream = stream;
        _serverTask = serverTask;
        _process = process;
        var handler = new HeaderDelimitedMessageHandler(stream, stream, LspSerializer.CreateFormatter());
        Rpc = new JsonRpc(handler);
        Rpc.AddLocalRpcTarget(new ClientTarget(this), new JsonRpcTargetOptions { UseSingleObjectParameterDeserialization = true });
        Rpc.StartListening();
    }

    public JsonRpc Rpc { get; }
    public StringWriter ServerLog { get; } = new();
    public List<JToken> ProgressCreateRequests { get; } = new();

    public static LspClient StartInProcess(ServerOptions? options = null)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        options ??= new ServerOptions();
        var log = new StringWriter();
        options.LogWriter ??= TextWriter.Synchronized(log);
        var serverTask = Task.Run(() => LanguageServer.RunAsync(serverStream, serverStream, options));
        return new LspClient(clientStream, serverTask, null);
    }

    /// <summary>Starts `dotnet annlsp-server.dll` (the same server the `annlsp lsp` command runs) as a child process.</summary>
    public static LspClient StartProcess(IDictionary<string, string>? environment = null, IReadOnlyList<string>? command = null)
    {
        var start = ServerProcess.StartInfo();
        if (command is not null)
        {
            start.FileName = command[0];
            start.ArgumentList.Clear();
            foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        }
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = Process.Start(start)!;
        var stream = FullDuplexStream.Splice(process.StandardOutput.BaseStream, process.StandardInput.BaseStream);
        var client = new LspClient(stream, null, process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (client.ServerLog) client.ServerLog.WriteLine(e.Data); };
        process.BeginErrorReadLine();
        return client;
    }

    public async Task<JObject> InitializeAsync(object? initializationOptions = null, string? rootUri = null)
    {
        var result = await Rpc.InvokeWithParameterObjectAsync<JObject>("initialize", new
        {
            processId = Environment.ProcessId,
            clientInfo = new { name = "annlsp-tests" },
            rootUri,
            capabilities = new { window = new { workDoneProgress = true }, textDocument = new { } },
            initializationOptions,
        });
        await Rpc.NotifyWithParameterObjectAsync("initialized", new { });
        Interlocked.Exchange(ref _initialised, 1);
        return result;
    }

    public Task<T> RequestAsync<T>(string method, object parameters, CancellationToken cancellationToken = default) =>
        Rpc.InvokeWithParameterObjectAsync<T>(method, parameters, cancellationToken);

    public Task NotifyAsync(string method, object parameters) => Rpc.NotifyWithParameterObjectAsync(method, parameters);

    public Task OpenAsync(string uri, string text, int version = 1) =>
        NotifyAsync("textDocument/didOpen", new { textDocument = new TextDocumentItem { Uri = uri, LanguageId = "ann", Version = version, Text = text } });

    public Task ChangeFullAsync(string uri, string text, int version) =>
        NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new[] { new { text } } });

    public Task ChangeAsync(string uri, int version, Protocol.Range range, string text) =>
        NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new object[] { new { range, text } } });

    public IReadOnlyList<(string Method, JToken Params)> Notifications => _notifications.ToArray();

    /// <summary>Waits for the first notification (already received or still to come) that satisfies the predicate.</summary>
    public async Task<JToken> WaitForNotificationAsync(string method, Func<JToken, bool>? predicate = null, TimeSpan? timeout = null, int skip = 0)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var match = _notifications.Where(n => n.Method == method && (predicate?.Invoke(n.Params) ?? true)).Skip(skip).FirstOrDefault();
            if (match.Method is not null) return match.Params;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no '{method}' notification matched; got: {string.Join(", ", _notifications.Select(n => n.Method))}\nserver log:\n{ServerLog}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Diagnostics published for this exact document version.</summary>
    public async Task<JArray> DiagnosticsAsync(string uri, int version, TimeSpan? timeout = null)
    {
        var p = await WaitForNotificationAsync("textDocument/publishDiagnostics",
            n => n.Value<string>("uri") == uri && n.Value<int?>("version") == version, timeout);
        return (JArray)p["diagnostics"]!;
    }

    public void ClearNotifications()
    {
        while (_notifications.TryDequeue(out _)) { }
    }

    /// <summary>shutdown + exit; returns the server's exit code.</summary>
    public async Task<int> ShutdownAsync()
    {
        await Rpc.InvokeAsync<object?>("shutdown");
        await Rpc.NotifyAsync("exit");
        return await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        if (_serverTask is not null) return await _serverTask.WaitAsync(TimeSpan.FromSeconds(20));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public bool ServerHasExited => _serverTask?.IsCompleted ?? _process!.HasExited;

    /// <summary>The server's process (<see cref="StartProcess"/> only), for tests that kill it.</summary>
    public Process? Process => _process;

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        Rpc.Dispose();
        await _stream.DisposeAsync();
        if (_serverTask is not null)
        {
            try { await _serverTask.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        }
        _process?.Dispose();
    }

    private sealed class ClientTarget(LspClient client)
    {
        private void Record(string method, JToken? p)
        {
            client._notifications.Enqueue((method, p ?? JValue.CreateNull()));
            client._arrived.Release();
        }

        [JsonRpcMethod("textDocument/publishDiagnostics")] public void PublishDiagnostics(JToken p) => Record("textDocument/publishDiagnostics", p);
        [JsonRpcMethod("window/logMessage")] public void LogMessage(JToken p) => Record("window/logMessage", p);
        [JsonRpcMethod("window/showMessage")] public void ShowMessage(JToken p) => Record("window/showMessage", p);
        [JsonRpcMethod("$/logTrace")] public void LogTrace(JToken p) => Record("$/logTrace", p);
        [JsonRpcMethod("$/progress")] public void Progress(JToken p) => Record("$/progress", p);
        [JsonRpcMethod("annlsp/trainingEvent")] public void TrainingEvent(JToken p) => Record("annlsp/trainingEvent", p);
        [JsonRpcMethod("workspace/codeLens/refresh")] public object? CodeLensRefresh(JToken? p) { Record("workspace/codeLens/refresh", p); return null; }

        [JsonRpcMethod("window/workDoneProgress/create")]
        public object? CreateProgress(JToken p)
        {
            lock (client.ProgressCreateRequests) client.ProgressCreateRequests.Add(p);
            Record("window/workDoneProgress/create", p);
            return null;
        }
    }
}
