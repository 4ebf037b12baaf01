using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>Semantic tokens: classifies every token and comment from the tree and the symbol table, in text order.</summary>
public static class SemanticTokenProvider
{
    public static List<ClassifiedSpan> Classify(DocumentAnalysis analysis, CancellationToken cancellationToken = default)
    {
        var symbols = new Dictionary<int, SymbolReference>();
        foreach (var r in analysis.References) symbols.TryAdd(r.Span.Start, r);
        var spans = new List<ClassifiedSpan>();
        int count = 0;
        foreach (var token in analysis.Root.Tokens())
        {
            if ((++count & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            foreach (var trivia in token.LeadingTrivia)
                if (trivia.Kind == SyntaxKind.Comment && trivia.Text.Length > 0) spans.Add(new ClassifiedSpan(trivia.Position, trivia.Text.Length, TokenClass.Comment, TokenModifiers.None));
            if (token.IsMissing || token.Text.Length == 0) continue;
            if (Classify(token, symbols) is { } c) spans.Add(new ClassifiedSpan(token.Position, token.Text.Length, c.Class, c.Modifiers));
        }
        return spans;
    }

    private static (TokenClass Class, TokenModifiers Modifiers)? Classify(SyntaxToken token, Dictionary<int, SymbolReference> symbols)
    {
        switch (token.Kind)
        {
            case SyntaxKind.Number:
            case SyntaxKind.ShapeLiteral:
                return (TokenClass.Number, TokenModifiers.None);
            case SyntaxKind.String:
                return (TokenClass.String, TokenModifiers.None);
            case SyntaxKind.Arrow:
            case SyntaxKind.Star:
                return (TokenClass.Operator, TokenModifiers.None);
            case SyntaxKind.TrueKeyword:
            case SyntaxKind.FalseKeyword:
                return (TokenClass.EnumMember, TokenModifiers.DefaultLibrary);
            case var k when SyntaxFacts.IsKeyword(k):
                return (TokenClass.Keyword, TokenModifiers.None);
            case SyntaxKind.Identifier:
                break;
            default:
                return null;
        }
        if (symbols.TryGetValue(token.Position, out var reference))
        {
            var modifiers = reference.IsDeclaration ? TokenModifiers.Declaration : TokenModifiers.None;
            return reference.Symbol.Kind switch
            {
                SymbolKind.Network => (TokenClass.Class, modifiers),
                SymbolKind.Gan => (TokenClass.Class, modifiers),
                SymbolKind.Diffusion => (TokenClass.Class, modifiers),
                SymbolKind.Block => (TokenClass.Function, modifiers),
                SymbolKind.Parameter => (TokenClass.Parameter, modifiers),
                _ => (TokenClass.Variable, modifiers),
            };
        }
        return token.Parent switch
        {
            // A built-in layer is the default library; a block's use or an unknown name is a plain function.
            LayerSyntax layer when layer.Name == token =>
                LayerCatalog.Find(token.Text) is not null ? (TokenClass.Function, TokenModifiers.DefaultLibrary) : (TokenClass.Function, TokenModifiers.None),
            ArgumentSyntax argument when argument.Name == token => (TokenClass.Parameter, TokenModifiers.None),
            // Graphs: `as` is a contextual word; `concat`/`add` are built in like layers; `time` is the built-in tensor;
            // a name no declaration answers (unknown, or still being typed) is a variable all the same.
            TensorNameSyntax named when named.AsWord == token => (TokenClass.Keyword, TokenModifiers.None),
            TensorNameSyntax => (TokenClass.Variable, TokenModifiers.Declaration),
            MergeSyntax merge when merge.Name == token => (TokenClass.Function, TokenModifiers.DefaultLibrary),
            MergeArgumentSyntax { Source.Text: "time" } => (TokenClass.Variable, TokenModifiers.DefaultLibrary),
            MergeArgumentSyntax => (TokenClass.Variable, TokenModifiers.None),
            ShortcutSyntax shortcut when shortcut.Label == token => (TokenClass.Parameter, TokenModifiers.None),
            PropertySyntax property when property.Name == token => (TokenClass.Property, TokenModifiers.None),
            CallExpressionSyntax => (TokenClass.Function, TokenModifiers.DefaultLibrary),
            NameExpressionSyntax => (TokenClass.EnumMember, TokenModifiers.None),
            TrainNameSyntax train when train.AsWord == token => (TokenClass.Keyword, TokenModifiers.None),
            TrainNameSyntax => (TokenClass.Variable, TokenModifiers.Declaration),
            ParameterListSyntax => (TokenClass.Parameter, TokenModifiers.Declaration),
            DeclarationSyntax => (TokenClass.Class, TokenModifiers.Declaration),
            _ => null,
        };
    }
}
