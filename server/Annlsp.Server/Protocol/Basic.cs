using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

// The LSP 3.17 message types this server speaks, named as in the specification
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/).
// Only the fields the server reads or writes are declared. Serialisation: camelCase property names,
// null members omitted (see LspSerializer). Nothing in this folder knows the language core.
namespace Annlsp.Server.Protocol;

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed class TextDocumentIdentifier
{
    [JsonProperty(Required = Required.Always)] public string Uri { get; set; } = "";
}

public sealed class VersionedTextDocumentIdentifier
{
    [JsonProperty(Required = Required.Always)] public string Uri { get; set; } = "";
    public int? Version { get; set; }
}

public sealed class TextDocumentItem
{
    [JsonProperty(Required = Required.Always)] public string Uri { get; set; } = "";
    public string LanguageId { get; set; } = "ann";
    public int Version { get; set; }
    [JsonProperty(Required = Required.Always)] public string Text { get; set; } = "";
}

/// <summary>Base of every request that targets a position in a document.</summary>
public class TextDocumentPositionParams
{
    [JsonProperty(Required = Required.Always)] public TextDocumentIdentifier TextDocument { get; set; } = new();
    [JsonProperty(Required = Required.Always)] public Position Position { get; set; } = new(0, 0);
    public JToken? WorkDoneToken { get; set; }
}

/// <summary>Base of every request that targets a whole document.</summary>
public class TextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public TextDocumentIdentifier TextDocument { get; set; } = new();
    public JToken? WorkDoneToken { get; set; }
}

public sealed record TextEdit(Range Range, string NewText);

public sealed class WorkspaceEdit
{
    public Dictionary<string, List<TextEdit>>? Changes { get; set; }
}

public sealed class Command
{
    public Command() { }
    public Command(string title, string name, JArray? arguments = null) { Title = title; Name = name; Arguments = arguments; }
    public string Title { get; set; } = "";
    /// <summary>The spec's `command` field (renamed here only because C# forbids a member named like its type).</summary>
    [JsonProperty("command")] public string Name { get; set; } = "";
    public JArray? Arguments { get; set; }
}

public sealed record MarkupContent(string Kind, string Value)
{
    public static MarkupContent Markdown(string value) => new(MarkupKind.Markdown, value);
    public static MarkupContent PlainText(string value) => new(MarkupKind.PlainText, value);
}

public static class MarkupKind
{
    public const string PlainText = "plaintext";
    public const string Markdown = "markdown";
}

public static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int UnknownErrorCode = -32001;
    public const int RequestFailed = -32803;
    public const int ServerCancelled = -32802;
    public const int ContentModified = -32801;
    public const int RequestCancelled = -32800;
}
