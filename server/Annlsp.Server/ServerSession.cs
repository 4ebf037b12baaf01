using Annlsp.Server.Documents;
using Annlsp.Server.Protocol;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server;

public enum ServerState { Created, Initializing, Running, ShuttingDown, Exited }

/// <summary>Settings the host passes in (the `annlsp lsp` command, tests, the benchmark).</summary>
public sealed class ServerOptions
{
    /// <summary>How long to wait after an edit before re-analysing, so a burst of keystrokes is analysed once.
    /// Edits that arrive while an analysis runs are coalesced whatever this is (latest wins).</summary>
    public TimeSpan DiagnosticsDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The command that runs the trainer (`annlsp`), as program + leading arguments; null = find it.</summary>
    public IReadOnlyList<string>? TrainerCommand { get; set; }

    /// <summary>How long `annlsp.stop` waits for the trainer to honour the cancellation before killing it.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>False when the client says the workspace is not trusted (initializationOptions.training.enabled): annlsp.train is refused.</summary>
    public bool TrainingEnabled { get; set; } = true;

    /// <summary>Environment for the trainer child from the client's training settings (ANNLSP_DEVICE, ANNLSP_FASHION_MNIST, ANNLSP_LIBTORCH).</summary>
    public Dictionary<string, string> TrainerEnvironment { get; } = new();

    /// <summary>Documents longer than this (UTF-16 units) get no outline, semantic tokens, folding ranges, inlay hints,
    /// code lenses or formatting: those answers grow with the document (14 MB of outline for a 1 MB file).</summary>
    public int LargeDocumentLimit { get; set; } = 256 * 1024;

    /// <summary>Documents longer than this are not analysed at all (no diagnostics, hover, completion, navigation):
    /// the analysis needs some 65 bytes of memory per character.</summary>
    public int AnalysisLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>Where server log lines go besides window/logMessage (stderr for the stdio host).</summary>
    public TextWriter? LogWriter { get; set; }
}

/// <summary>State shared by the handlers: the connection, the documents, the client's settings.</summary>
public sealed class ServerSession
{
    private readonly TaskCompletionSource _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerSession(JsonRpc rpc, ServerOptions options, DocumentStore documents)
    {
        Rpc = rpc;
        Options = options;
        Documents = documents;
    }

    public JsonRpc Rpc { get; }
    public ServerOptions Options { get; }
    public DocumentStore Documents { get; }
    private volatile ServerState _state = ServerState.Created;
    public ServerState State { get => _state; set => _state = value; }
    public bool ShutdownRequested { get; set; }
    public string Trace { get; set; } = "off";
    public JObject ClientCapabilities { get; set; } = new();
    public List<string> WorkspaceFolders { get; } = new();
    public ClientInfo? ClientInfo { get; set; }

    public bool ClientSupportsWorkDoneProgress =>
        ClientCapabilities.SelectToken("window.workDoneProgress")?.Type == JTokenType.Boolean &&
        ClientCapabilities.SelectToken("window.workDoneProgress")!.Value<bool>();

    /// <summary>Completes when the client sent `exit` (or the connection dropped).</summary>
    public Task Exit => _exit.Task;
    public void SignalExit() => _exit.TrySetResult();

    /// <summary>Things to stop on shutdown (training runs).</summary>
    public event Func<Task>? ShuttingDown;
    public async Task RunShutdownHooksAsync()
    {
        if (ShuttingDown is null) return;
        foreach (Func<Task> hook in ShuttingDown.GetInvocationList())
        {
            try { await hook().ConfigureAwait(false); }
            catch (Exception e) { Log(MessageType.Error, $"shutdown hook failed: {e.Message}"); }
        }
    }

    /// <summary>A log line: to stderr always, to the client as window/logMessage once the connection is up.</summary>
    public void Log(int type, string message)
    {
        Options.LogWriter?.WriteLine($"[annlsp] {message}");
        if (State is ServerState.Created or ServerState.Exited) return;
        _ = NotifySafeAsync("window/logMessage", new LogMessageParams(type, message));
    }

    /// <summary>$/logTrace, when the client turned tracing on.</summary>
    public void TraceLog(string message, string? verbose = null)
    {
        if (Trace == "off" || State is ServerState.Created or ServerState.Exited) return;
        _ = NotifySafeAsync("$/logTrace", new LogTraceParams(message, Trace == "verbose" ? verbose : null));
    }

    /// <summary>Sends a notification; a closed connection is not an error worth crashing over.</summary>
    public async Task NotifySafeAsync(string method, object parameters)
    {
        try { await Rpc.NotifyWithParameterObjectAsync(method, Transport.LspSerializer.ForWire(parameters)).ConfigureAwait(false); }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException) { }
    }
}
