using Annlsp.Language;
using Annlsp.Server.Protocol;
using Core = Annlsp.Language.Diagnostics;

namespace Annlsp.Server.Translation;

public static partial class LspTranslator
{
    public const string Source = "annlsp";

    public static Diagnostic ToDiagnostic(DocumentAnalysis analysis, string uri, Core.Diagnostic diagnostic) => new()
    {
        Range = ToRange(analysis.Text, diagnostic.Span),
        Severity = (int)diagnostic.Severity,
        Code = diagnostic.Code,
        Source = Source,
        Message = diagnostic.Message,
        Tags = diagnostic.Tags.Count == 0 ? null : diagnostic.Tags.Select(t => (int)t).ToList(),
        RelatedInformation = diagnostic.Related.Count == 0
            ? null
            : diagnostic.Related.Select(r => new DiagnosticRelatedInformation(new Location(uri, ToRange(analysis.Text, r.Span)), r.Message)).ToList(),
    };

    public static TextEdit ToTextEdit(DocumentAnalysis analysis, Core.TextEdit edit) =>
        new(ToRange(analysis.Text, edit.Span), edit.NewText);

    public static WorkspaceEdit ToWorkspaceEdit(DocumentAnalysis analysis, string uri, IEnumerable<Core.TextEdit> edits) =>
        new() { Changes = new() { [uri] = edits.Select(e => ToTextEdit(analysis, e)).ToList() } };
}
