using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>Signature help inside `( … )` of a layer, block use, data set or optimizer, with the active parameter (positional slot or `name:`).</summary>
public static class SignatureHelpProvider
{
    public static SignatureContent? Help(DocumentAnalysis analysis, int offset)
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
        return new SignatureContent(
            signature.Value.Label,
            signature.Value.Doc,
            parameters.Select(p => new ParameterContent(p.Label, p.Doc)).ToList(),
            active >= 0 && active < parameters.Count ? active : null);
    }
}
