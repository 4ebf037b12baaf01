using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

public enum DiagnosticSeverity { Error = 1, Warning = 2, Information = 3, Hint = 4 }

public enum DiagnosticTag { Unnecessary = 1, Deprecated = 2 }

/// <summary>A stable code with its severity and a one-line title. All live in <see cref="DiagnosticCatalog"/>.</summary>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title, DiagnosticTag[]? Tags = null);

/// <summary>Another place in the document that the diagnostic involves ("the generator outputs 1×28×28 here").</summary>
public sealed record RelatedLocation(TextSpan Span, string Message);

public sealed record TextEdit(TextSpan Span, string NewText);

/// <summary>One obvious fix: applying its edits removes the diagnostic.</summary>
public sealed record CodeFix(string Title, IReadOnlyList<TextEdit> Edits, bool IsPreferred = true);

/// <summary>One reported problem. Only <see cref="DiagnosticBuilder"/> makes them (the constructor is internal).</summary>
public sealed record Diagnostic
{
    internal Diagnostic(DiagnosticDescriptor descriptor, TextSpan span, string message,
        IReadOnlyList<RelatedLocation> related, IReadOnlyList<CodeFix> fixes)
    {
        Descriptor = descriptor;
        Span = span;
        Message = message;
        Related = related;
        Fixes = fixes;
    }

    public DiagnosticDescriptor Descriptor { get; }
    public TextSpan Span { get; }
    public string Message { get; }
    public IReadOnlyList<RelatedLocation> Related { get; }
    public IReadOnlyList<CodeFix> Fixes { get; }
    public string Code => Descriptor.Code;
    public DiagnosticSeverity Severity => Descriptor.Severity;
    public IReadOnlyList<DiagnosticTag> Tags => Descriptor.Tags ?? [];
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() => $"{Span} {Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
}

/// <summary>Collects diagnostics; caps the count so a 10 MB file of garbage stays cheap to report.</summary>
public sealed class DiagnosticBag
{
    public const int Limit = 1000;
    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<(string, TextSpan, string)> _seen = [];

    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => ErrorCount > 0;
    /// <summary>Errors added so far (the checker compares counts before and after a network).</summary>
    public int ErrorCount { get; private set; }

    /// <summary>Adds a diagnostic made by <see cref="DiagnosticBuilder"/>, the one place messages are written.</summary>
    public void Add(Diagnostic diagnostic)
    {
        if (_items.Count >= Limit) return;
        // A block body is checked once per use; report each distinct problem once.
        if (!_seen.Add((diagnostic.Code, diagnostic.Span, diagnostic.Message))) return;
        _items.Add(diagnostic);
        if (diagnostic.IsError) ErrorCount++;
    }
}
