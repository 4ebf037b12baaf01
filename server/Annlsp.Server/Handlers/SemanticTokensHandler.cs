using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Server.Features;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;

namespace Annlsp.Server.Handlers;

/// <summary>textDocument/semanticTokens/full: classifies every token from the tree and the symbol table.</summary>
public sealed class SemanticTokensHandler(ServerSession session) : IHandler
{
    public static readonly List<string> TokenTypes =
        ["keyword", "class", "function", "parameter", "property", "enumMember", "number", "string", "comment", "operator", "variable", "type"];
    public static readonly List<string> TokenModifiers = ["declaration", "defaultLibrary"];

    private const int Keyword = 0, Class = 1, Function = 2, Parameter = 3, Property = 4, EnumMember = 5, Number = 6, String = 7, Comment = 8, Operator = 9, Variable = 10, Type = 11;
    private const int Declaration = 1, DefaultLibrary = 2;

    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.SemanticTokensProvider = new SemanticTokensOptions(new SemanticTokensLegend(TokenTypes, TokenModifiers), Full: true);

    [LspMethod("textDocument/semanticTokens/full")]
    public async Task<SemanticTokens> Full(SemanticTokensParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        if (!snapshot.HasDocumentWideFeatures) return new SemanticTokens([]);   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        // Off the message loop: on a large document this is the most expensive request.
        return new SemanticTokens(await Task.Run(() => Encode(analysis, cancellationToken), cancellationToken));
    }

    public static List<int> Encode(DocumentAnalysis analysis, CancellationToken cancellationToken = default)
    {
        var text = analysis.Text;
        var blocks = SyntaxQueries.Blocks(analysis);
        var symbols = new Dictionary<int, SymbolReference>();
        foreach (var r in analysis.References) symbols.TryAdd(r.Span.Start, r);
        var data = new List<int>();
        int lastLine = 0, lastChar = 0;
        void Add(int start, int length, int type, int modifiers)
        {
            if (length <= 0) return;
            var p = LspTranslator.ToPosition(text, start);
            // A token never spans lines in this language; clip defensively to the line.
            int lineEnd = LspTranslator.LineEndOffset(text, p.Line);
            length = Math.Min(length, lineEnd - start);
            if (length <= 0) return;
            data.Add(p.Line - lastLine);
            data.Add(p.Line == lastLine ? p.Character - lastChar : p.Character);
            data.Add(length);
            data.Add(type);
            data.Add(modifiers);
            lastLine = p.Line;
            lastChar = p.Character;
        }
        int count = 0;
        foreach (var token in analysis.Root.Tokens())
        {
            if ((++count & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            foreach (var trivia in token.LeadingTrivia)
                if (trivia.Kind == SyntaxKind.Comment) Add(trivia.Position, trivia.Text.Length, Comment, 0);
            if (token.IsMissing || token.Text.Length == 0) continue;
            var classification = Classify(token, blocks, symbols);
            if (classification is { } c) Add(token.Position, token.Text.Length, c.Type, c.Modifiers);
        }
        return data;
    }

    private static (int Type, int Modifiers)? Classify(SyntaxToken token, Dictionary<string, BlockDeclarationSyntax> blocks, Dictionary<int, SymbolReference> symbols)
    {
        switch (token.Kind)
        {
            case SyntaxKind.Number:
            case SyntaxKind.ShapeLiteral:
                return (Number, 0);
            case SyntaxKind.String:
                return (String, 0);
            case SyntaxKind.Arrow:
            case SyntaxKind.Star:
                return (Operator, 0);
            case SyntaxKind.TrueKeyword:
            case SyntaxKind.FalseKeyword:
                return (EnumMember, DefaultLibrary);
            case var k when SyntaxFacts.IsKeyword(k):
                return (Keyword, 0);
            case SyntaxKind.Identifier:
                break;
            default:
                return null;
        }
        if (symbols.TryGetValue(token.Position, out var reference))
        {
            int modifiers = reference.IsDeclaration ? Declaration : 0;
            return reference.Symbol.Kind switch
            {
                Language.Semantics.SymbolKind.Network => (Class, modifiers),
                Language.Semantics.SymbolKind.Gan => (Class, modifiers),
                Language.Semantics.SymbolKind.Block => (Function, modifiers),
                Language.Semantics.SymbolKind.Parameter => (Parameter, modifiers),
                _ => (Variable, modifiers),
            };
        }
        return token.Parent switch
        {
            LayerSyntax layer when layer.Name == token =>
                LayerCatalog.Find(token.Text) is not null ? (Function, DefaultLibrary) : blocks.ContainsKey(token.Text) ? (Function, 0) : (Function, 0),
            ArgumentSyntax argument when argument.Name == token => (Parameter, 0),
            PropertySyntax property when property.Name == token => (Property, 0),
            CallExpressionSyntax => (Function, DefaultLibrary),
            NameExpressionSyntax => (EnumMember, 0),
            TrainNameSyntax train when train.AsWord == token => (Keyword, 0),
            TrainNameSyntax => (Variable, Declaration),
            ParameterListSyntax => (Parameter, Declaration),
            DeclarationSyntax => (Class, Declaration),
            _ => null,
        };
    }
}
