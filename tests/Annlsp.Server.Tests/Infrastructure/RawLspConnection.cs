using System.Diagnostics;
using System.Text;
using Annlsp.Server;
using Nerdbank.Streams;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>
/// Bytes on the wire, for tests that must send what no well-behaved client would: to the server in-process, or
/// to the real server process (`dotnet annlsp-server.dll`) over its stdin/stdout. Everything the server sends is
/// kept in arrival order; responses are looked up by id, notifications by method.
/// </summary>
public sealed class RawLspConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Task<int>? _server;
    private readonly Process? _process;
    private readonly List<byte> _buffer = new();
    private readonly List<JObject> _received = new();
    private readonly HashSet<int> _taken = new();
    private readonly StringBuilder _stderr = new();

    private RawLspConnection(Stream stream, Task<int>? server, Process? process)
    {
        _stream = stream;
        _server = server;
        _process = process;
    }

    public static RawLspConnection StartInProcess(ServerOptions? options = null)
    {
        var (client, server) = FullDuplexStream.CreatePair();
        options ??= new ServerOptions();
        options.LogWriter ??= TextWriter.Null;
        var task = Task.Run(() => LanguageServer.RunAsync(server, server, options));
        return new RawLspConnection(client, task, null);
    }

    /// <summary>The server as users run it: a child process speaking over stdio.</summary>
    public static RawLspConnection StartProcess(IDictionary<string, string>? environment = null)
    {
        var start = ServerProcess.StartInfo();
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = Process.Start(start)!;
        var connection = new RawLspConnection(FullDuplexStream.Splice(process.StandardOutput.BaseStream, process.StandardInput.BaseStream), null, process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (connection._stderr) connection._stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        return connection;
    }

    /// <summary>What the server wrote to stderr so far (the process only).</summary>
    public string ServerLog { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>initialize (answered) + initialized, as a client does it.</summary>
    public async Task InitializeAsync(JObject? parameters = null)
    {
        parameters ??= new JObject { ["processId"] = null, ["capabilities"] = new JObject() };
        await SendAsync(new JObject { ["jsonrpc"] = "2.0", ["id"] = "init", ["method"] = "initialize", ["params"] = parameters });
        var result = await ReceiveResponseToAsync("init");
        if (result["result"] is null) throw new InvalidOperationException("initialize failed: " + result);
        await SendAsync("""{"jsonrpc":"2.0","method":"initialized","params":{}}""");
    }

    public Task SendAsync(string json) => SendBytesAsync(Encoding.UTF8.GetBytes(json), contentLengthHeader: true);

    public Task SendAsync(JObject message) => SendAsync(message.ToString(Newtonsoft.Json.Formatting.None));

    public async Task SendBytesAsync(byte[] bytes, bool contentLengthHeader = false)
    {
        if (contentLengthHeader)
            bytes = [.. Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"), .. bytes];
        await _stream.WriteAsync(bytes);   // one write: a frame written at once arrives at once
        await _stream.FlushAsync();
    }

    /// <summary>The next response with this id (null: an id-null error response), skipping notifications.</summary>
    public Task<JObject> ReceiveResponseAsync(int? id, TimeSpan? timeout = null) =>
        ReceiveResponseAsync(id is null ? JValue.CreateNull() : new JValue(id.Value), timeout);

    public Task<JObject> ReceiveResponseToAsync(string id, TimeSpan? timeout = null) => ReceiveResponseAsync(new JValue(id), timeout);

    private Task<JObject> ReceiveResponseAsync(JValue id, TimeSpan? timeout) =>
        ReceiveAsync(m => !m.ContainsKey("method") && JToken.DeepEquals(m["id"] ?? JValue.CreateNull(), id), $"a response with id {id}", timeout);

    /// <summary>The next notification of this method that satisfies the predicate.</summary>
    public Task<JObject> ReceiveNotificationAsync(string method, Func<JToken, bool>? predicate = null, TimeSpan? timeout = null) =>
        ReceiveAsync(m => m.Value<string>("method") == method && !m.ContainsKey("id") && (predicate?.Invoke(m["params"]!) ?? true), $"a '{method}' notification", timeout);

    /// <summary>
    /// The first message not yet taken by a Receive call that satisfies the predicate (waiting for it if need be).
    /// Messages skipped over stay in <see cref="Received"/> for later calls.
    /// </summary>
    public async Task<JObject> ReceiveAsync(Func<JObject, bool> predicate, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        int index = 0;
        while (true)
        {
            for (; index < _received.Count; index++)
            {
                if (_taken.Contains(index) || !predicate(_received[index])) continue;
                _taken.Add(index);
                return _received[index];
            }
            try { _received.Add(await ReadMessageAsync(cts.Token)); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s; received:\n" +
                    string.Join("\n", _received.Select(m => Truncate(m.ToString(Newtonsoft.Json.Formatting.None)))) + "\nserver log:\n" + ServerLog);
            }
        }
    }

    /// <summary>Every message received so far, in order.</summary>
    public IReadOnlyList<JObject> Received => _received;

    /// <summary>The texts of the window/logMessage notifications received so far.</summary>
    public IEnumerable<string> LogMessages =>
        _received.Where(m => m.Value<string>("method") == "window/logMessage").Select(m => m["params"]!.Value<string>("message")!);

    private async Task<JObject> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var chunk = new byte[65536];
        while (true)
        {
            var text = Encoding.ASCII.GetString(_buffer.ToArray());
            int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var header = text[..headerEnd];
                int length = int.Parse(header.Split("\r\n").First(l => l.StartsWith("Content-Length:")).Split(':')[1].Trim());
                int start = headerEnd + 4;
                if (_buffer.Count >= start + length)
                {
                    var body = Encoding.UTF8.GetString(_buffer.GetRange(start, length).ToArray());
                    _buffer.RemoveRange(0, start + length);
                    return JObject.Parse(body);
                }
            }
            int n = await _stream.ReadAsync(chunk, cancellationToken);
            if (n == 0) throw new EndOfStreamException("server closed the stream\nserver log:\n" + ServerLog);
            _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    public bool ServerHasExited => _server?.IsCompleted ?? _process!.HasExited;

    public async Task<int> WaitForExitAsync()
    {
        if (_server is not null) return await _server.WaitAsync(TimeSpan.FromSeconds(20));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>shutdown (answered) + exit; the exit code.</summary>
    public async Task<int> ShutdownAsync()
    {
        await SendAsync("""{"jsonrpc":"2.0","id":"shutdown","method":"shutdown"}""");
        await ReceiveResponseToAsync("shutdown");
        await SendAsync("""{"jsonrpc":"2.0","method":"exit"}""");
        return await WaitForExitAsync();
    }

    private static string Truncate(string s) => s.Length <= 300 ? s : s[..300] + "…";

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        await _stream.DisposeAsync();
        if (_server is not null)
        {
            try { await _server.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        }
        _process?.Dispose();
    }
}
