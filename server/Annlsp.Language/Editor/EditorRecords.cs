using Annlsp.Language.Diagnostics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Editor;

// What the editor features answer: plain data in the language's own terms (offsets, spans, zero-based lines).
// The server's one translator (Annlsp.Server/Translation) turns each into its LSP counterpart.

/// <summary>The kind of a completion entry, which decides its icon.</summary>
public enum CompletionEntryKind { Function, Class, Module, Property, EnumMember, Value, Variable, Keyword, Snippet }

/// <summary>
/// One completion entry. <see cref="LabelDetail"/> follows the label directly (`(…)`), <see cref="Description"/>
/// stands apart from it (`activation`, `needs C×H×W; here 16`); <see cref="Documentation"/> is markdown.
/// <see cref="InsertText"/> is snippet syntax (`${1:filters}`) when <see cref="IsSnippet"/>.
/// </summary>
public sealed record CompletionEntry
{
    public required string Label { get; init; }
    public required CompletionEntryKind Kind { get; init; }
    public string? LabelDetail { get; init; }
    public string? Description { get; init; }
    public string? Detail { get; init; }
    public string? Documentation { get; init; }
    public string? InsertText { get; init; }
    public bool IsSnippet { get; init; }
    public string? FilterText { get; init; }
    /// <summary>The order the editor shows entries in (ordinal).</summary>
    public string? SortText { get; init; }
    public bool Preselect { get; init; }
}

/// <summary>Hover text (markdown) and the span of the token it describes.</summary>
public sealed record HoverContent(string Markdown, TextSpan Span);

/// <summary>A shape shown after a layer or a network's name (`→ 16×5×5`, `1×28×28 → 10`), at an offset.</summary>
public sealed record ShapeHint(int Offset, string Label);

public sealed record ParameterContent(string Label, string Documentation);

/// <summary>The signature of the call-like list the caret is in; the active parameter is null when none applies.</summary>
public sealed record SignatureContent(string Label, string Documentation, IReadOnlyList<ParameterContent> Parameters, int? ActiveParameter);

public enum OutlineKind { Network, Block, Gan, Train, Layer, Residual, Property }

/// <summary>One entry of the outline: a declaration, or a layer or property inside one. <see cref="Children"/> is null for leaves.</summary>
public sealed record OutlineItem(string Name, string? Detail, OutlineKind Kind, TextSpan Span, TextSpan NameSpan, IReadOnlyList<OutlineItem>? Children);

public enum FoldKind { Region, Comment }

/// <summary>A foldable range of zero-based lines: the start line stays visible, the lines after it up to the end line fold.</summary>
public sealed record Fold(int StartLine, int EndLine, FoldKind Kind);

/// <summary>Token classes, in the order of the server's semantic tokens legend.</summary>
public enum TokenClass { Keyword, Class, Function, Parameter, Property, EnumMember, Number, String, Comment, Operator, Variable, Type }

[Flags]
public enum TokenModifiers { None = 0, Declaration = 1, DefaultLibrary = 2 }

/// <summary>A classified piece of the text (a token or a comment); a list of them is in text order.</summary>
public readonly record struct ClassifiedSpan(int Start, int Length, TokenClass Class, TokenModifiers Modifiers);

/// <summary>A quick fix: one of the checker's fixes for one diagnostic, with the diagnostic it resolves.</summary>
public sealed record QuickFix(string Title, Diagnostic Diagnostic, IReadOnlyList<TextEdit> Edits, bool IsPreferred);

public enum FormatOutcome
{
    /// <summary>Already in the canonical layout.</summary>
    Unchanged,
    Formatted,
    /// <summary>The text has syntax errors and is left alone (<see cref="FormatResult.SyntaxErrors"/>).</summary>
    SyntaxErrors,
    /// <summary>The layout would have changed the tokens or comments (a formatter bug): nothing is changed.</summary>
    Refused,
}

/// <summary>The outcome of formatting a document; <see cref="Text"/> is the canonical text when formatted, else the original.</summary>
public sealed record FormatResult(FormatOutcome Outcome, string Text, IReadOnlyList<Diagnostic> SyntaxErrors);
