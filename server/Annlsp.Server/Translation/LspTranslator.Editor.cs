using Annlsp.Language;
using Annlsp.Language.Editor;
using Annlsp.Language.Text;
using Annlsp.Server.Protocol;

namespace Annlsp.Server.Translation;

/// <summary>The editor layer's answers (Annlsp.Language.Editor) as LSP.</summary>
public static partial class LspTranslator
{
    public static CompletionItem ToCompletionItem(CompletionEntry entry) => new()
    {
        Label = entry.Label,
        LabelDetails = entry.LabelDetail is null && entry.Description is null ? null : new CompletionItemLabelDetails(entry.LabelDetail, entry.Description),
        Kind = entry.Kind switch
        {
            CompletionEntryKind.Function => CompletionItemKind.Function,
            CompletionEntryKind.Class => CompletionItemKind.Class,
            CompletionEntryKind.Module => CompletionItemKind.Module,
            CompletionEntryKind.Property => CompletionItemKind.Property,
            CompletionEntryKind.EnumMember => CompletionItemKind.EnumMember,
            CompletionEntryKind.Value => CompletionItemKind.Value,
            CompletionEntryKind.Variable => CompletionItemKind.Variable,
            CompletionEntryKind.Keyword => CompletionItemKind.Keyword,
            CompletionEntryKind.Snippet => CompletionItemKind.Snippet,
            _ => CompletionItemKind.Text,
        },
        Detail = entry.Detail,
        Documentation = entry.Documentation is null ? null : MarkupContent.Markdown(entry.Documentation),
        SortText = entry.SortText,
        FilterText = entry.FilterText,
        InsertText = entry.InsertText,
        InsertTextFormat = entry.IsSnippet ? InsertTextFormat.Snippet : null,
        Preselect = entry.Preselect ? true : null,
    };

    public static Hover ToHover(SourceText text, HoverContent hover) =>
        new(MarkupContent.Markdown(hover.Markdown), ToRange(text, hover.Span));

    /// <summary>Every hint is a type, set off from the text before it.</summary>
    public static InlayHint ToInlayHint(SourceText text, ShapeHint hint) =>
        new(ToPosition(text, hint.Offset), hint.Label, InlayHintKind.Type, Tooltip: null, PaddingLeft: true);

    public static SignatureHelp ToSignatureHelp(SignatureContent signature)
    {
        var info = new SignatureInformation(
            signature.Label,
            MarkupContent.Markdown(signature.Documentation),
            signature.Parameters.Select(p => new ParameterInformation(p.Label, MarkupContent.Markdown(p.Documentation))).ToList(),
            signature.ActiveParameter);
        return new SignatureHelp([info], 0, info.ActiveParameter);
    }

    public static DocumentSymbol ToDocumentSymbol(SourceText text, OutlineItem item) => new()
    {
        Name = item.Name,
        Detail = item.Detail,
        Kind = item.Kind switch
        {
            OutlineKind.Network => SymbolKind.Class,
            OutlineKind.Block => SymbolKind.Function,
            OutlineKind.Gan => SymbolKind.Module,
            OutlineKind.Train => SymbolKind.Event,
            OutlineKind.Residual => SymbolKind.Namespace,
            OutlineKind.Property => SymbolKind.Property,
            _ => SymbolKind.Field,
        },
        Range = ToRange(text, item.Span),
        SelectionRange = ToRange(text, item.NameSpan),
        Children = item.Children?.Select(c => ToDocumentSymbol(text, c)).ToList(),
    };

    public static FoldingRange ToFoldingRange(Fold fold) =>
        new(fold.StartLine, fold.EndLine, fold.Kind == FoldKind.Comment ? FoldingRangeKind.Comment : FoldingRangeKind.Region);

    /// <summary>The semantic tokens legend: the names of <see cref="TokenClass"/> and <see cref="TokenModifiers"/> in their order (bit order for modifiers).</summary>
    public static readonly List<string> TokenTypes =
        ["keyword", "class", "function", "parameter", "property", "enumMember", "number", "string", "comment", "operator", "variable", "type"];
    public static readonly List<string> TokenModifierNames = ["declaration", "defaultLibrary"];

    /// <summary>LSP's relative encoding: per token Δline, Δstart (from the previous token on the same line), length, type, modifier bits.</summary>
    public static List<int> ToSemanticTokens(SourceText text, IReadOnlyList<ClassifiedSpan> spans)
    {
        var data = new List<int>(spans.Count * 5);
        int lastLine = 0, lastChar = 0;
        foreach (var span in spans)
        {
            var p = ToPosition(text, span.Start);
            // A token never spans lines in this language; clip defensively to the line.
            int length = Math.Min(span.Length, LineEndOffset(text, p.Line) - span.Start);
            if (length <= 0) continue;
            data.Add(p.Line - lastLine);
            data.Add(p.Line == lastLine ? p.Character - lastChar : p.Character);
            data.Add(length);
            data.Add((int)span.Class);
            data.Add((int)span.Modifiers);
            lastLine = p.Line;
            lastChar = p.Character;
        }
        return data;
    }

    public static CodeAction ToCodeAction(DocumentAnalysis analysis, string uri, QuickFix fix) => new()
    {
        Title = fix.Title,
        Kind = CodeActionKind.QuickFix,
        Diagnostics = [ToDiagnostic(analysis, uri, fix.Diagnostic)],
        IsPreferred = fix.IsPreferred ? true : null,
        Edit = ToWorkspaceEdit(analysis, uri, fix.Edits),
    };

    /// <summary>A formatted document as one edit replacing the whole text.</summary>
    public static TextEdit ToWholeDocumentEdit(SourceText text, string newText) =>
        new(ToRange(text, new TextSpan(0, text.Length)), newText);
}
