using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/codeAction: <see cref="CodeActionProvider"/>'s quick fixes for the diagnostics in the range, translated.</summary>
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
        return CodeActionProvider.QuickFixes(analysis, range).Select(fix => LspTranslator.ToCodeAction(analysis, uri, fix)).ToList();
    }
}
