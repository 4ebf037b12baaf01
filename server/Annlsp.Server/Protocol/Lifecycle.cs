using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Protocol;

public sealed class InitializeParams
{
    public int? ProcessId { get; set; }
    public ClientInfo? ClientInfo { get; set; }
    public string? RootUri { get; set; }
    public string? RootPath { get; set; }
    public JToken? InitializationOptions { get; set; }
    public JObject? Capabilities { get; set; }
    public string? Trace { get; set; }
    public List<WorkspaceFolder>? WorkspaceFolders { get; set; }
}

public sealed record ClientInfo(string Name, string? Version = null);
public sealed record ServerInfo(string Name, string? Version = null);
public sealed record WorkspaceFolder(string Uri, string Name);

public sealed class InitializeResult
{
    public ServerCapabilities Capabilities { get; set; } = new();
    public ServerInfo? ServerInfo { get; set; }
}

public sealed class InitializedParams { }

public static class TextDocumentSyncKind
{
    public const int None = 0, Full = 1, Incremental = 2;
}

public sealed class TextDocumentSyncOptions
{
    public bool OpenClose { get; set; }
    public int Change { get; set; }
    public SaveOptions? Save { get; set; }
}

public sealed record SaveOptions(bool IncludeText);

public sealed record CompletionOptions(List<string>? TriggerCharacters = null, bool? ResolveProvider = null);
public sealed record SignatureHelpOptions(List<string>? TriggerCharacters = null, List<string>? RetriggerCharacters = null);
public sealed record CodeActionOptions(List<string>? CodeActionKinds = null, bool? ResolveProvider = null);
public sealed record RenameOptions(bool PrepareProvider);
public sealed record CodeLensOptions(bool ResolveProvider);
public sealed record ExecuteCommandOptions(List<string> Commands);
public sealed record SemanticTokensLegend(List<string> TokenTypes, List<string> TokenModifiers);
public sealed record SemanticTokensOptions(SemanticTokensLegend Legend, bool Full, bool Range = false);

/// <summary>What this server can do. Each handler fills in its own part (see <see cref="Handlers.IHandler"/>).</summary>
public sealed class ServerCapabilities
{
    public string? PositionEncoding { get; set; }
    public TextDocumentSyncOptions? TextDocumentSync { get; set; }
    public CompletionOptions? CompletionProvider { get; set; }
    public bool? HoverProvider { get; set; }
    public SignatureHelpOptions? SignatureHelpProvider { get; set; }
    public bool? DefinitionProvider { get; set; }
    public bool? ReferencesProvider { get; set; }
    public bool? DocumentHighlightProvider { get; set; }
    public bool? DocumentSymbolProvider { get; set; }
    public CodeActionOptions? CodeActionProvider { get; set; }
    public CodeLensOptions? CodeLensProvider { get; set; }
    public bool? DocumentFormattingProvider { get; set; }
    public RenameOptions? RenameProvider { get; set; }
    public bool? FoldingRangeProvider { get; set; }
    public ExecuteCommandOptions? ExecuteCommandProvider { get; set; }
    public SemanticTokensOptions? SemanticTokensProvider { get; set; }
    public bool? InlayHintProvider { get; set; }
}

public sealed class SetTraceParams
{
    [JsonProperty(Required = Required.Always)] public string Value { get; set; } = "off";
}

public sealed record LogTraceParams(string Message, string? Verbose = null);

public static class MessageType
{
    public const int Error = 1, Warning = 2, Info = 3, Log = 4, Debug = 5;
}

public sealed record LogMessageParams(int Type, string Message);
public sealed record ShowMessageParams(int Type, string Message);
