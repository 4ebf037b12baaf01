using Annlsp.Language;
using Annlsp.Language.Syntax;
using Annlsp.Server.Features;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/signatureHelp inside `( … )` of a layer, block use, data set or optimizer.</summary>
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
        return SignatureHelpProvider.Help(analysis, offset);
    }
}

public static class SignatureHelpProvider
{
    public static SignatureHelp? Help(DocumentAnalysis analysis, int offset)
    {
        if (SyntaxQueries.MemberAt(analysis.Root, offset) is not SyntaxNode member) return null;
        var list = SyntaxQueries.ArgumentListAt(member, offset);
        if (list is null) return null;
        var signature = SyntaxQueries.SignatureFor(analysis, list);
        if (signature is null) return null;
        var parameters = signature.Value.Parameters;
        // Active parameter: the named argument the caret is in, else the positional slot.
        int index = SyntaxQueries.ArgumentIndex(list, offset);
        var current = list.Arguments.FirstOrDefault(a => a.FullSpan.Start <= offset && offset <= a.Span.End);
        int active = index;
        if (current?.Name is { IsMissing: false } name)
            active = parameters.ToList().FindIndex(p => p.Name == name.Text);
        else if (list.Arguments.Any(a => a.Name is not null && a.Span.End <= offset))
            active = -1;
        var info = new SignatureInformation(
            signature.Value.Label,
            MarkupContent.Markdown(signature.Value.Doc),
            parameters.Select(p => new ParameterInformation(p.Label, MarkupContent.Markdown(p.Doc))).ToList(),
            active >= 0 && active < parameters.Count ? active : null);
        return new SignatureHelp([info], 0, info.ActiveParameter);
    }
}
