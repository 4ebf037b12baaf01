using Annlsp.Language.Editor;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/signatureHelp: <see cref="SignatureHelpProvider"/>, translated.</summary>
public sealed class SignatureHelpHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.SignatureHelpProvider = new SignatureHelpOptions(["(", ","], [":"]);

    [LspMethod("textDocument/signatureHelp")]
    public async Task<SignatureHelp?> SignatureHelp(SignatureHelpParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        int offset = LspTranslator.ToOffset(analysis.Text, request.Position);
        return SignatureHelpProvider.Help(analysis, offset) is { } signature ? LspTranslator.ToSignatureHelp(signature) : null;
    }
}
