using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Editor;

/// <summary>Questions about the syntax tree at a caret that several editor features ask (read-only helpers over the tree).</summary>
public static class SyntaxQueries
{
    /// <summary>True when the offset lies between an open and its close token (an unclosed pair extends to the end).</summary>
    public static bool Inside(SyntaxToken open, SyntaxToken close, int offset) =>
        !open.IsMissing && offset >= open.Span.End && (close.IsMissing || offset <= close.Span.Start);

    /// <summary>The top-level member whose text contains the offset (binary search over the declarations).</summary>
    public static SyntaxElement? MemberAt(CompilationUnitSyntax root, int offset)
    {
        var members = root.Members;
        int lo = 0, hi = members.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var span = members[mid].FullSpan;
            if (offset < span.Start) hi = mid - 1;
            else if (offset > span.End) lo = mid + 1;
            else
            {
                // Prefer the member whose significant text touches the offset (a caret right after `}` is in neither).
                if (mid + 1 < members.Count && members[mid + 1].FullSpan.Start <= offset && offset > members[mid].Span.End) return members[mid + 1];
                return members[mid];
            }
        }
        return null;
    }

    /// <summary>
    /// The declaration the caret continues: the one containing it, or an unfinished one (its closing token
    /// missing) that ends before it — `train |` at the end of a file.
    /// </summary>
    public static SyntaxElement? MemberForTyping(CompilationUnitSyntax root, int offset)
    {
        var member = MemberAt(root, offset);
        if (member is not null) return member;
        var before = root.Members.LastOrDefault(m => m.FullSpan.End <= offset);
        return before is DeclarationSyntax d && d.LastToken(includeMissing: true) is { IsMissing: true } ? d : null;
    }

    public static DeclarationSyntax? DeclarationAt(CompilationUnitSyntax root, int offset) => MemberAt(root, offset) as DeclarationSyntax;

    /// <summary>Start of the identifier the caret is in or right after (the word being typed).</summary>
    public static int WordStart(string text, int offset)
    {
        int i = Math.Clamp(offset, 0, text.Length);
        while (i > 0 && (char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] == '_')) i--;
        return i;
    }

    public static int WordEnd(string text, int offset)
    {
        int i = Math.Clamp(offset, 0, text.Length);
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
        return i;
    }

    /// <summary>The last real (non-missing) token that ends at or before the offset, searching the given node.</summary>
    public static SyntaxToken? TokenBefore(SyntaxNode scope, int offset)
    {
        SyntaxToken? last = null;
        foreach (var t in scope.Tokens())
        {
            if (t.Span.End > offset) break;
            if (!t.IsMissing && t.Kind != SyntaxKind.EndOfFile) last = t;
        }
        return last;
    }

    /// <summary>The identifier token under the caret (touching it), if any.</summary>
    public static SyntaxToken? IdentifierAt(DocumentAnalysis analysis, int offset)
    {
        var member = MemberAt(analysis.Root, offset);
        if (member is not SyntaxNode node) return null;
        foreach (var t in node.Tokens())
        {
            if (t.Position > offset) break;
            if (!t.IsMissing && t.Span.Touches(offset) && (t.Kind == SyntaxKind.Identifier || SyntaxFacts.IsKeyword(t.Kind))) return t;
        }
        return null;
    }

    /// <summary>The innermost stack body (network, block or residual) whose braces enclose the offset.</summary>
    public static StackBodySyntax? StackBodyAt(DeclarationSyntax declaration, int offset)
    {
        StackBodySyntax? body = declaration switch
        {
            NetworkDeclarationSyntax n => n.Body,
            BlockDeclarationSyntax b => b.Body,
            _ => null,
        };
        if (body is null || !Inside(body.OpenBrace, body.CloseBrace, offset)) return null;
        while (true)
        {
            var inner = body.Layers.OfType<ResidualSyntax>().FirstOrDefault(r => Inside(r.Body.OpenBrace, r.Body.CloseBrace, offset));
            if (inner is null) return body;
            body = inner.Body;
        }
    }

    public static PropertyBodySyntax? PropertyBodyAt(DeclarationSyntax declaration, int offset)
    {
        PropertyBodySyntax? body = declaration switch
        {
            GanDeclarationSyntax g => g.Body,
            DiffusionDeclarationSyntax d => d.Body,
            TrainDeclarationSyntax t => t.Body,
            _ => null,
        };
        return body is not null && Inside(body.OpenBrace, body.CloseBrace, offset) ? body : null;
    }

    /// <summary>Every argument list (of a layer or a call) that encloses the offset, innermost last.</summary>
    public static ArgumentListSyntax? ArgumentListAt(SyntaxNode scope, int offset)
    {
        ArgumentListSyntax? found = null;
        foreach (var node in scope.DescendantNodes())
        {
            if (node is ArgumentListSyntax list && Inside(list.OpenParen, list.CloseParen, offset))
            {
                if (found is null || list.OpenParen.Position > found.OpenParen.Position) found = list;
            }
        }
        return found;
    }

    /// <summary>Which argument slot the caret is in: the index among the list's arguments (commas before the caret).</summary>
    public static int ArgumentIndex(ArgumentListSyntax list, int offset) =>
        list.Items.OfType<SyntaxToken>().Count(t => t.Kind == SyntaxKind.Comma && !t.IsMissing && t.Span.End <= offset);

    /// <summary>The block declarations of the document by name (first wins).</summary>
    public static Dictionary<string, BlockDeclarationSyntax> Blocks(DocumentAnalysis analysis)
    {
        var map = new Dictionary<string, BlockDeclarationSyntax>(StringComparer.Ordinal);
        foreach (var b in analysis.Root.Declarations.OfType<BlockDeclarationSyntax>())
            if (!b.Name.IsMissing) map.TryAdd(b.Name.Text, b);
        return map;
    }

    public static IEnumerable<string> NetworkNames(DocumentAnalysis analysis) =>
        analysis.Root.Declarations.OfType<NetworkDeclarationSyntax>().Where(n => !n.Name.IsMissing).Select(n => n.Name.Text).Distinct();

    public static IEnumerable<string> GanNames(DocumentAnalysis analysis) =>
        analysis.Root.Declarations.OfType<GanDeclarationSyntax>().Where(n => !n.Name.IsMissing).Select(n => n.Name.Text).Distinct();

    public static string BlockSignature(BlockDeclarationSyntax block) =>
        block.Parameters is null ? block.Name.Text : $"{block.Name.Text}({string.Join(", ", block.Parameters.Parameters.Select(p => p.Text))})";

    /// <summary>The catalogue signature a call-like argument list belongs to: a layer, a block, a data set or an optimizer.</summary>
    public static (string Label, IReadOnlyList<(string Name, string Label, string Doc, ParameterInfo? Info)> Parameters, string Doc)? SignatureFor(
        DocumentAnalysis analysis, ArgumentListSyntax list)
    {
        switch (list.Parent)
        {
            case LayerSyntax layer:
                if (LayerCatalog.Find(layer.Name.Text) is { } info)
                    return (info.Signature, info.Parameters.Select(p => (p.Name, p.Label, p.Documentation, (ParameterInfo?)p)).ToList(), info.Documentation);
                if (Blocks(analysis).TryGetValue(layer.Name.Text, out var block))
                    return (BlockSignature(block), (block.Parameters?.Parameters ?? []).Select(p => (p.Text, p.Text, $"parameter of block {block.Name.Text}", (ParameterInfo?)null)).ToList(), $"block {block.Name.Text}");
                return null;
            case CallExpressionSyntax call:
                if (TrainingCatalog.FindDataSet(call.Name.Text) is { } data)
                    return (data.Signature, data.Parameters.Select(p => (p.Name, p.Label, p.Documentation, (ParameterInfo?)p)).ToList(), data.Documentation);
                if (TrainingCatalog.FindOptimizer(call.Name.Text) is { } optimizer)
                    return (optimizer.Signature, optimizer.Parameters.Select(p => (p.Name, p.Label, p.Documentation, (ParameterInfo?)p)).ToList(), optimizer.Documentation);
                return null;
            default:
                return null;
        }
    }
}
