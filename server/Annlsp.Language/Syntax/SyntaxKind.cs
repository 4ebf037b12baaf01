namespace Annlsp.Language.Syntax;

public enum SyntaxKind
{
    // Tokens
    EndOfFile,
    Identifier,
    Number,
    ShapeLiteral,
    String,
    NetworkKeyword,
    BlockKeyword,
    GanKeyword,
    DiffusionKeyword,
    TrainKeyword,
    ResidualKeyword,
    TrueKeyword,
    FalseKeyword,
    OpenBrace,
    CloseBrace,
    OpenParen,
    CloseParen,
    Comma,
    Colon,
    Arrow,
    Star,
    BadToken,

    // Trivia
    Whitespace,
    NewLine,
    Comment,

    // Nodes
    CompilationUnit,
    NetworkDeclaration,
    BlockDeclaration,
    ParameterList,
    GanDeclaration,
    DiffusionDeclaration,
    TrainDeclaration,
    TrainName,
    StackBody,
    Layer,
    Residual,
    Shortcut,
    Chain,
    Merge,
    MergeArgument,
    TensorName,
    ArgumentList,
    Argument,
    PropertyBody,
    Property,
    LiteralExpression,
    NameExpression,
    CallExpression,
    ProductExpression,
    MissingExpression,
    SkippedTokens,
}

public static class SyntaxFacts
{
    public static SyntaxKind? KeywordKind(string text) => text switch
    {
        "network" => SyntaxKind.NetworkKeyword,
        "block" => SyntaxKind.BlockKeyword,
        "gan" => SyntaxKind.GanKeyword,
        "diffusion" => SyntaxKind.DiffusionKeyword,
        "train" => SyntaxKind.TrainKeyword,
        "residual" => SyntaxKind.ResidualKeyword,
        "true" => SyntaxKind.TrueKeyword,
        "false" => SyntaxKind.FalseKeyword,
        _ => null,
    };

    public static bool IsKeyword(SyntaxKind kind) => kind is >= SyntaxKind.NetworkKeyword and <= SyntaxKind.FalseKeyword;

    public static bool IsDeclarationKeyword(SyntaxKind kind) =>
        kind is SyntaxKind.NetworkKeyword or SyntaxKind.BlockKeyword or SyntaxKind.GanKeyword or SyntaxKind.DiffusionKeyword or SyntaxKind.TrainKeyword;

    public static string Display(SyntaxKind kind) => kind switch
    {
        SyntaxKind.EndOfFile => "end of file",
        SyntaxKind.Identifier => "a name",
        SyntaxKind.Number => "a number",
        SyntaxKind.ShapeLiteral => "a shape",
        SyntaxKind.String => "a string",
        SyntaxKind.OpenBrace => "'{'",
        SyntaxKind.CloseBrace => "'}'",
        SyntaxKind.OpenParen => "'('",
        SyntaxKind.CloseParen => "')'",
        SyntaxKind.Comma => "','",
        SyntaxKind.Colon => "':'",
        SyntaxKind.Arrow => "'->'",
        SyntaxKind.Star => "'*'",
        _ when IsKeyword(kind) => "'" + kind.ToString().Replace("Keyword", "").ToLowerInvariant() + "'",
        _ => kind.ToString(),
    };
}
