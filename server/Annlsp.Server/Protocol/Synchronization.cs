using Newtonsoft.Json;

namespace Annlsp.Server.Protocol;

public sealed class DidOpenTextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public TextDocumentItem TextDocument { get; set; } = new();
}

public sealed class DidChangeTextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public VersionedTextDocumentIdentifier TextDocument { get; set; } = new();
    [JsonProperty(Required = Required.Always)] public List<TextDocumentContentChangeEvent> ContentChanges { get; set; } = new();
}

/// <summary>An incremental change when <see cref="Range"/> is set; the whole new text otherwise.</summary>
public sealed class TextDocumentContentChangeEvent
{
    public Range? Range { get; set; }
    public int? RangeLength { get; set; }
    [JsonProperty(Required = Required.Always)] public string Text { get; set; } = "";
}

public sealed class DidCloseTextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class DidSaveTextDocumentParams
{
    [JsonProperty(Required = Required.Always)] public TextDocumentIdentifier TextDocument { get; set; } = new();
    public string? Text { get; set; }
}

public static class DiagnosticSeverity
{
    public const int Error = 1, Warning = 2, Information = 3, Hint = 4;
}

public static class DiagnosticTag
{
    public const int Unnecessary = 1, Deprecated = 2;
}

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

public sealed record CodeDescription(string Href);

public sealed class Diagnostic
{
    public Range Range { get; set; } = new(new(0, 0), new(0, 0));
    public int? Severity { get; set; }
    public string? Code { get; set; }
    public CodeDescription? CodeDescription { get; set; }
    public string? Source { get; set; }
    public string Message { get; set; } = "";
    public List<int>? Tags { get; set; }
    public List<DiagnosticRelatedInformation>? RelatedInformation { get; set; }
}

public sealed record PublishDiagnosticsParams(string Uri, List<Diagnostic> Diagnostics, int? Version = null);
