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

public sealed record Diagnostic(
    DiagnosticDescriptor Descriptor,
    TextSpan Span,
    string Message,
    IReadOnlyList<RelatedLocation> Related,
    IReadOnlyList<CodeFix> Fixes)
{
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

    public void Add(DiagnosticDescriptor descriptor, TextSpan span, string message,
        IReadOnlyList<RelatedLocation>? related = null, params CodeFix[] fixes)
    {
        if (_items.Count >= Limit) return;
        // A block body is checked once per use; report each distinct problem once.
        if (!_seen.Add((descriptor.Code, span, message))) return;
        _items.Add(new Diagnostic(descriptor, span, message, related ?? [], fixes));
        if (_items[^1].IsError) ErrorCount++;
    }

    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (_items.Count >= Limit) return;
            if (!_seen.Add((d.Code, d.Span, d.Message))) continue;
            _items.Add(d);
            if (d.IsError) ErrorCount++;
        }
    }
}
