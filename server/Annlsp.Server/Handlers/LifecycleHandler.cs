using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Handlers;

/// <summary>initialize / initialized / shutdown / exit / $/setTrace, and the answer to messages the transport rejected.</summary>
public sealed class LifecycleHandler(ServerSession session, Func<ServerCapabilities> capabilities) : IHandler
{
    public static string Version => typeof(LifecycleHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    [LspMethod("initialize")]
    public InitializeResult Initialize(InitializeParams request)
    {
        session.ClientCapabilities = request.Capabilities ?? new JObject();
        session.ClientInfo = request.ClientInfo;
        session.Trace = request.Trace ?? "off";
        if (request.WorkspaceFolders is { Count: > 0 })
            session.WorkspaceFolders.AddRange(request.WorkspaceFolders.Select(f => f.Uri));
        else if (request.RootUri is not null)
            session.WorkspaceFolders.Add(request.RootUri);
        if (request.InitializationOptions is JObject options)
        {
            if (options["diagnosticsDelayMs"] is { Type: JTokenType.Integer } delay)
                session.Options.DiagnosticsDelay = TimeSpan.FromMilliseconds(Math.Clamp(delay.Value<int>(), 0, 5000));
            if (options["training"] is JObject training) ApplyTrainingSettings(training, allowEnable: true);
            if (options["trainerCommand"] is JArray command && command.Count > 0 && command.All(c => c.Type == JTokenType.String))
                session.Options.TrainerCommand = command.Select(c => c.Value<string>()!).ToList();
        }
        session.State = ServerState.Initializing;
        return new InitializeResult
        {
            Capabilities = capabilities(),
            ServerInfo = new ServerInfo("annlsp", Version),
        };
    }

    /// <summary>The client's `annlsp.training` settings: the trainer's environment (and, at initialize only, whether training is allowed).</summary>
    private void ApplyTrainingSettings(JObject training, bool allowEnable)
    {
        if (training["enabled"] is { Type: JTokenType.Boolean } enabled && (allowEnable || !enabled.Value<bool>()))
            session.Options.TrainingEnabled = enabled.Value<bool>();
        foreach (var (key, variable) in new[] { ("device", "ANNLSP_DEVICE"), ("dataFolder", "ANNLSP_FASHION_MNIST"), ("libtorchPath", "ANNLSP_LIBTORCH") })
        {
            if (training[key] is { Type: JTokenType.String } v && v.Value<string>() is { Length: > 0 } value)
                session.Options.TrainerEnvironment[variable] = value;
            else if (training[key] is not null)
                session.Options.TrainerEnvironment.Remove(variable);
        }
    }

    /// <summary>workspace/didChangeConfiguration with the `annlsp` section: new training settings apply to the next run.</summary>
    [LspMethod("workspace/didChangeConfiguration")]
    public void DidChangeConfiguration(JToken? request)
    {
        if (request?.SelectToken("settings.annlsp.training") is JObject training) ApplyTrainingSettings(training, allowEnable: false);
    }

    /// <summary>A small document touching every part of the core, analysed once in the background after start so the
    /// JIT has compiled the analysis before the user's first file arrives (no effect on a Native AOT build).</summary>
    private const string WarmUpText = """
        block B(f) { conv(f, kernel: 3, padding: same) -> batchnorm -> relu }
        network G { input(100) dense(128 * 7 * 7) reshape(128x7x7) deconv(1, kernel: 4, stride: 2, padding: 1) upsample -> tanh }
        network D { input(1x28x28) B(8) residual { conv(8, kernel: 3, padding: 1) } pool(max, 2) globalpool dropout(0.2) dense(1) -> leakyrelu(0.2) sigmoid }
        network C { input(1x28x28) conv(6, kernel: 5) pool(avg, 2) flatten dense(10) -> gelu softmax }
        gan P { generator: G  discriminator: D }
        train P { data: shapes epochs: 1 optimizer: adam(lr: 2e-4, beta1: 0.5) device: cpu }
        train C as x { data: fashion_mnist optimizer: sgd(lr: 0.1, momentum: 0.9) seed: 1 }
        """;

    [LspMethod("initialized")]
    public void Initialized(JToken? request)
    {
        session.State = ServerState.Running;
        _ = Task.Run(() =>
        {
            try { Language.DocumentAnalysis.Analyze(WarmUpText); }
            catch (Exception e) { session.Log(MessageType.Warning, $"warm-up analysis failed: {e.Message}"); }
        });
        session.Log(MessageType.Info, $"annlsp {Version} ready (client: {session.ClientInfo?.Name ?? "unknown"})");
    }

    [LspMethod("shutdown")]
    public async Task<object?> Shutdown()
    {
        session.ShutdownRequested = true;
        session.State = ServerState.ShuttingDown;
        await session.RunShutdownHooksAsync();
        return null;
    }

    [LspMethod("exit")]
    public void Exit()
    {
        session.State = ServerState.Exited;
        session.SignalExit();
    }

    [LspMethod("$/setTrace")]
    public void SetTrace(SetTraceParams request)
    {
        if (request.Value is "off" or "messages" or "verbose") session.Trace = request.Value;
    }

    /// <summary>The transport replaced an unparsable or non-JSON-RPC message with this request; answer with the spec's error.</summary>
    [LspMethod(FrameSanitizer.InvalidMessageMethod)]
    public object? InvalidMessage(JObject? request)
    {
        int code = request?["code"]?.Type == JTokenType.Integer ? request.Value<int>("code") : LspErrorCodes.InvalidRequest;
        string message = request?["message"]?.Type == JTokenType.String ? request.Value<string>("message")! : "invalid message";
        throw new LspException(code, message);
    }
}
