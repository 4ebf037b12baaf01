using System.Diagnostics;
using System.IO.Pipelines;
using Annlsp.Server.Documents;
using Annlsp.Server.Handlers;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Microsoft.VisualStudio.Threading;
using StreamJsonRpc;

namespace Annlsp.Server;

/// <summary>
/// Runs one LSP session over a pair of streams: client bytes → <see cref="FrameSanitizer"/> → StreamJsonRpc
/// (header-delimited, Newtonsoft) → the handlers. Returns the process exit code the specification asks for:
/// 0 after shutdown + exit, 1 when the client went away or sent exit without shutdown.
/// </summary>
public static class LanguageServer
{
    /// <summary>The `annlsp lsp` entry point: stdio, with Console.Out moved to stderr so nothing stray reaches the protocol stream.</summary>
    public static async Task<int> RunStdioAsync(ServerOptions? options = null)
    {
        var stdin = Console.OpenStandardInput();
        var stdout = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        options ??= new ServerOptions();
        options.LogWriter ??= Console.Error;
        return await RunAsync(stdin, stdout, options).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(Stream input, Stream output, ServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ServerOptions();
        var log = options.LogWriter;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        ServerSession? session = null;
        // Framing problems go where the user looks (window/logMessage) once the session is up, else to the log.
        Action<string> transportLog = line =>
        {
            if (session is null) log?.WriteLine($"[annlsp] {line}");
            else session.Log(MessageType.Warning, line);
        };
        var sanitizer = new FrameSanitizer(input, pipe.Writer, transportLog);
        var messageHandler = new LspMessageHandler(
            PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true)), pipe.Reader, LspSerializer.CreateFormatter(), transportLog);

        var rpc = new LspJsonRpc(messageHandler, () => session);
        if (log is not null)
        {
            rpc.TraceSource = new TraceSource("annlsp.jsonrpc", SourceLevels.Warning);
            rpc.TraceSource.Listeners.Clear();
            rpc.TraceSource.Listeners.Add(new TextWriterTraceListener(log));
        }
        var documents = new DocumentStore((uri, version, text) => new DocumentSnapshot(uri, version, text, options));
        session = new ServerSession(rpc, options, documents);

        // One message at a time, in arrival order: didChange notifications are applied in the order sent.
        // Handlers that do real work move it off this context (analysis runs on the thread pool).
        rpc.SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false);
        rpc.CancelLocallyInvokedMethodsWhenConnectionIsClosed = true;

        var handlers = HandlerRegistry.Create(session);
        var serializer = ((JsonMessageFormatter)messageHandler.Formatter).JsonSerializer;
        foreach (var handler in handlers) HandlerBinder.Bind(rpc, handler, serializer);

        TimingTrace.Mark("handlers bound");
        rpc.StartListening();
        TimingTrace.Mark("listening");
        var pump = Task.Run(() => sanitizer.RunAsync(cancellationToken), CancellationToken.None);

        using (cancellationToken.Register(session.SignalExit))
        {
            await Task.WhenAny(session.Exit, rpc.Completion).ConfigureAwait(false);
        }
        if (session.State is not ServerState.Exited)
        {
            log?.WriteLine("[annlsp] the client disconnected without 'exit'");
        }
        // Stop training runs and background work whatever way the session ended.
        await session.RunShutdownHooksAsync().ConfigureAwait(false);
        // Let in-flight handlers finish writing (the 'shutdown' reply) before closing the stream.
        try { await rpc.DispatchCompletion.WithTimeout(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { log?.WriteLine("[annlsp] handlers still running at exit"); }
        catch (Exception) { }
        session.State = ServerState.Exited;
        rpc.Dispose();
        try { await rpc.Completion.ConfigureAwait(false); } catch (Exception) { }
        return session.ShutdownRequested ? 0 : 1;
    }
}
