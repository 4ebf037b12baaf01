using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Protocol;

// ---- completion ----
public sealed class CompletionContext
{
    public int TriggerKind { get; set; }
    public string? TriggerCharacter { get; set; }
}

public sealed class CompletionParams : TextDocumentPositionParams
{
    public CompletionContext? Context { get; set; }
}

public static class CompletionItemKind
{
    public const int Text = 1, Method = 2, Function = 3, Constructor = 4, Field = 5, Variable = 6, Class = 7, Interface = 8,
        Module = 9, Property = 10, Unit = 11, Value = 12, Enum = 13, Keyword = 14, Snippet = 15, Color = 16, File = 17,
        Reference = 18, Folder = 19, EnumMember = 20, Constant = 21, Struct = 22, Event = 23, Operator = 24, TypeParameter = 25;
}

public static class InsertTextFormat
{
    public const int PlainText = 1, Snippet = 2;
}

public sealed record CompletionItemLabelDetails(string? Detail = null, string? Description = null);

public sealed class CompletionItem
{
    public string Label { get; set; } = "";
    public CompletionItemLabelDetails? LabelDetails { get; set; }
    public int? Kind { get; set; }
    public string? Detail { get; set; }
    public MarkupContent? Documentation { get; set; }
    public string? SortText { get; set; }
    public string? FilterText { get; set; }
    public string? InsertText { get; set; }
    public int? InsertTextFormat { get; set; }
    public TextEdit? TextEdit { get; set; }
    public Command? Command { get; set; }
    public bool? Preselect { get; set; }
}

public sealed record CompletionList(bool IsIncomplete, List<CompletionItem> Items);

// ---- hover ----
public sealed class HoverParams : TextDocumentPositionParams { }
public sealed record Hover(MarkupContent Contents, Range? Range = null);

// ---- signature help ----
public sealed class SignatureHelpParams : TextDocumentPositionParams
{
    public JObject? Context { get; set; }
}
public sealed record ParameterInformation(string Label, MarkupContent? Documentation = null);
public sealed record SignatureInformation(string Label, MarkupContent? Documentation, List<ParameterInformation> Parameters, int? ActiveParameter = null);
public sealed record SignatureHelp(List<SignatureInformation> Signatures, int? ActiveSignature, int? ActiveParameter);

// ---- navigation ----
public sealed class DefinitionParams : TextDocumentPositionParams { }
public sealed class ReferenceContext { public bool IncludeDeclaration { get; set; } = true; }
public sealed class ReferenceParams : TextDocumentPositionParams
{
    public ReferenceContext Context { get; set; } = new();
}
public sealed class DocumentHighlightParams : TextDocumentPositionParams { }
public static class DocumentHighlightKind { public const int Text = 1, Read = 2, Write = 3; }
public sealed record DocumentHighlight(Range Range, int? Kind = null);

public sealed class PrepareRenameParams : TextDocumentPositionParams { }
public sealed class RenameParams : TextDocumentPositionParams
{
    [JsonProperty(Required = Required.Always)] public string NewName { get; set; } = "";
}
public sealed record PrepareRenameResult(Range Range, string Placeholder);

// ---- document structure ----
public sealed class DocumentSymbolParams : TextDocumentParams { }
public static class SymbolKind
{
    public const int File = 1, Module = 2, Namespace = 3, Package = 4, Class = 5, Method = 6, Property = 7, Field = 8,
        Constructor = 9, Enum = 10, Interface = 11, Function = 12, Variable = 13, Constant = 14, String = 15, Number = 16,
        Boolean = 17, Array = 18, Object = 19, Key = 20, Null = 21, EnumMember = 22, Struct = 23, Event = 24, Operator = 25, TypeParameter = 26;
}
public sealed class DocumentSymbol
{
    public string Name { get; set; } = "";
    public string? Detail { get; set; }
    public int Kind { get; set; }
    public Range Range { get; set; } = new(new(0, 0), new(0, 0));
    public Range SelectionRange { get; set; } = new(new(0, 0), new(0, 0));
    public List<DocumentSymbol>? Children { get; set; }
}

public sealed class FoldingRangeParams : TextDocumentParams { }
public static class FoldingRangeKind { public const string Comment = "comment", Imports = "imports", Region = "region"; }
public sealed record FoldingRange(int StartLine, int EndLine, string? Kind = null, int? StartCharacter = null, int? EndCharacter = null);

public sealed class SemanticTokensParams : TextDocumentParams { }
public sealed record SemanticTokens(List<int> Data, string? ResultId = null);

// ---- formatting ----
public sealed class FormattingOptions
{
    public int TabSize { get; set; } = 4;
    public bool InsertSpaces { get; set; } = true;
    public bool? TrimTrailingWhitespace { get; set; }
    public bool? InsertFinalNewline { get; set; }
    public bool? TrimFinalNewlines { get; set; }
}
public sealed class DocumentFormattingParams : TextDocumentParams
{
    public FormattingOptions Options { get; set; } = new();
}

// ---- code actions, code lens, inlay hints ----
public sealed class CodeActionContext
{
    public List<Diagnostic> Diagnostics { get; set; } = new();
    public List<string>? Only { get; set; }
}
public sealed class CodeActionParams : TextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public Range Range { get; set; } = new(new(0, 0), new(0, 0));
    public CodeActionContext Context { get; set; } = new();
}
public static class CodeActionKind
{
    public const string QuickFix = "quickfix", Refactor = "refactor", Source = "source";
}
public sealed class CodeAction
{
    public string Title { get; set; } = "";
    public string? Kind { get; set; }
    public List<Diagnostic>? Diagnostics { get; set; }
    public bool? IsPreferred { get; set; }
    public WorkspaceEdit? Edit { get; set; }
    public Command? Command { get; set; }
}

public sealed class CodeLensParams : TextDocumentParams { }
public sealed record CodeLens(Range Range, Command? Command = null, JToken? Data = null);

public sealed class InlayHintParams : TextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public Range Range { get; set; } = new(new(0, 0), new(0, 0));
}
public static class InlayHintKind { public const int Type = 1, Parameter = 2; }
public sealed record InlayHint(Position Position, string Label, int? Kind = null, string? Tooltip = null, bool? PaddingLeft = null, bool? PaddingRight = null);

// ---- workspace ----
public sealed class ExecuteCommandParams
{
    [JsonProperty(Required = Required.Always)] public string Command { get; set; } = "";
    public JArray? Arguments { get; set; }
    public JToken? WorkDoneToken { get; set; }
}

// ---- progress ----
public sealed record WorkDoneProgressCreateParams(JToken Token);
public sealed record WorkDoneProgressCancelParams(JToken Token);
public sealed record ProgressParams(JToken Token, object Value);
public sealed record WorkDoneProgressBegin(string Title, bool? Cancellable = null, string? Message = null, int? Percentage = null)
{
    public string Kind => "begin";
}
public sealed record WorkDoneProgressReport(string? Message = null, int? Percentage = null, bool? Cancellable = null)
{
    public string Kind => "report";
}
public sealed record WorkDoneProgressEnd(string? Message = null)
{
    public string Kind => "end";
}
