using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/completion: <see cref="CompletionProvider"/>, translated.</summary>
public sealed class CompletionHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.CompletionProvider = new CompletionOptions(TriggerCharacters: ["(", ",", ":", " ", ">"]);

    [LspMethod("textDocument/completion")]
    public async Task<CompletionList> Completion(CompletionParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (snapshot.Size == Documents.DocumentSize.TooLargeToAnalyse) return new CompletionList(false, []);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        int offset = LspTranslator.ToOffset(analysis.Text, request.Position);
        return new CompletionList(false, CompletionProvider.Complete(analysis, offset).Select(LspTranslator.ToCompletionItem).ToList());
    }
}
