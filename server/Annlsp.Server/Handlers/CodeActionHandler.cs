using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/codeAction: the core's one obvious fix for each diagnostic in the range, as a quick fix.</summary>
public sealed class CodeActionHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.CodeActionProvider = new CodeActionOptions([CodeActionKind.QuickFix]);

    [LspMethod("textDocument/codeAction")]
    public async Task<List<CodeAction>> CodeActions(CodeActionParams request, CancellationToken cancellationToken)
    {
        var uri = request.TextDocument.Uri;
        var snapshot = session.Documents.Get(uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        if (request.Context.Only is { } only && !only.Any(k => k == CodeActionKind.QuickFix || CodeActionKind.QuickFix.StartsWith(k + ".")))
            return new();
        var range = LspTranslator.ToSpan(analysis.Text, request.Range);
        var actions = new List<CodeAction>();
        foreach (var diagnostic in analysis.Diagnostics)
        {
            if (diagnostic.Fixes.Count == 0) continue;
            // Overlapping the requested range (an empty range at a diagnostic's edge counts).
            if (diagnostic.Span.End < range.Start || diagnostic.Span.Start > range.End) continue;
            var lsp = LspTranslator.ToDiagnostic(analysis, uri, diagnostic);
            foreach (var fix in diagnostic.Fixes)
            {
                actions.Add(new CodeAction
                {
                    Title = fix.Title,
                    Kind = CodeActionKind.QuickFix,
                    Diagnostics = [lsp],
                    IsPreferred = fix.IsPreferred && diagnostic.Fixes.Count == 1 ? true : null,
                    Edit = LspTranslator.ToWorkspaceEdit(analysis, uri, fix.Edits),
                });
            }
        }
        return actions;
    }
}
