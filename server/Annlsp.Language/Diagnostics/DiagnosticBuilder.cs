using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>
/// The one place diagnostics are made: each factory pairs a code from <see cref="DiagnosticCatalog"/>
/// (which fixes its severity) with its message, related locations and fixes. The lexer, parser and
/// checker only decide that something is wrong and call a factory. Grouped by family, in code order:
/// this file holds the helpers and the syntax codes (ANN1xxx).
/// </summary>
public static partial class DiagnosticBuilder
{
    private static Diagnostic Make(DiagnosticDescriptor descriptor, TextSpan at, string message,
        IReadOnlyList<RelatedLocation>? related = null, params CodeFix[] fixes) =>
        new(descriptor, at, message, related ?? [], fixes);

    private static RelatedLocation[] Related(TextSpan span, string message) => [new RelatedLocation(span, message)];

    /// <summary>The "Change to 'near'" fix for a misspelt name, or none when nothing is near.</summary>
    private static CodeFix[] ChangeTo(TextSpan span, string? near) =>
        near is null ? [] : [new CodeFix($"Change to '{near}'", [new TextEdit(span, near)])];

    private static string DidYouMean(string? near) => near is null ? "" : $"; did you mean '{near}'?";

    // ANN1001 Unexpected character
    /// <param name="shown">the characters as printed (already shortened)</param>
    public static Diagnostic UnexpectedCharacters(TextSpan at, string shown, bool single) =>
        Make(DiagnosticCatalog.UnexpectedCharacter, at, single ? $"Unexpected character '{shown}'" : $"Unexpected characters '{shown}'");

    // ANN1002 Unterminated string
    public static Diagnostic UnterminatedStringLiteral(TextSpan at) =>
        Make(DiagnosticCatalog.UnterminatedString, at, "Unterminated string: add a closing '\"'");

    // ANN1003 Invalid number
    public static Diagnostic IntegerTooLarge(TextSpan at, string number) =>
        Make(DiagnosticCatalog.BadNumber, at, $"Number '{number}' is too large (integers must fit in 64 bits)");

    public static Diagnostic NumberOutOfRange(TextSpan at, string number) =>
        Make(DiagnosticCatalog.BadNumber, at, $"Number '{number}' is out of range");

    // ANN1004 Invalid shape literal
    public static Diagnostic InvalidShapeLiteral(TextSpan at, string shape) =>
        Make(DiagnosticCatalog.BadShapeLiteral, at, $"Invalid shape literal '{shape}': write integers joined by x, such as 3x32x32");

    public static Diagnostic ShapeDimensionTooLarge(TextSpan at, string dimension) =>
        Make(DiagnosticCatalog.BadShapeLiteral, at, $"Shape dimension '{dimension}' is too large (at most {int.MaxValue})");

    // ANN1005 Missing token
    /// <param name="context">where it was expected: "to close the parameter list"</param>
    public static Diagnostic MissingToken(TextSpan at, string expected, string context, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected {expected} {context} but found {found}");

    /// <param name="what">the name expected: "a network name"</param>
    public static Diagnostic KeywordAsName(TextSpan at, string keyword, string what) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"{keyword} is a keyword and cannot be used as {what.Replace("a ", "").Split(' ')[0]} name; choose another name");

    public static Diagnostic MissingName(TextSpan at, string what, string found, bool foundKeyword) =>
        Make(DiagnosticCatalog.ExpectedToken, at, foundKeyword
            ? $"Expected {what} but found the keyword {found}, which cannot be used as a name"
            : $"Expected {what} but found {found}");

    public static Diagnostic MissingComma(TextSpan at, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected ',' between arguments but found {found}");

    public static Diagnostic MissingArgumentValue(TextSpan at, string argument) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected a value for '{argument}'");

    public static Diagnostic MissingValue(TextSpan at, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected a value but found {found}");

    public static Diagnostic MissingShortcutLabel(TextSpan at, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected 'shortcut:' after 'residual(' but found {found}");

    public static Diagnostic MissingShortcutChain(TextSpan at, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected the shortcut's layers after 'shortcut:' (such as conv(64, kernel: 1) -> batchnorm) but found {found}");

    public static Diagnostic MissingChainLayer(TextSpan at, string found) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected a layer after '->' but found {found}");

    /// <param name="merge">concat or add</param>
    public static Diagnostic MissingMergeArguments(TextSpan at, string merge) =>
        Make(DiagnosticCatalog.ExpectedToken, at, $"Expected '(' after {merge}: {merge} takes the tensors to merge with, such as {merge}(e1)");

    // ANN1006 Unexpected token
    /// <param name="expected">what belongs there: "a layer", "an argument"</param>
    public static Diagnostic Unexpected(TextSpan at, string expected, string found) =>
        Make(DiagnosticCatalog.UnexpectedToken, at, $"Expected {expected} but found {found}");

    public static Diagnostic UnexpectedOpenBrace(TextSpan at) =>
        Make(DiagnosticCatalog.UnexpectedToken, at, "Unexpected '{': only 'residual { … }' opens a nested stack");

    // ANN1007 Nesting too deep
    public static Diagnostic TooDeep(TextSpan at, int maxDepth) =>
        Make(DiagnosticCatalog.NestingTooDeep, at, $"Nesting too deep: at most {maxDepth} levels of residual or parentheses are allowed");

    // ANN1008 Invalid escape sequence
    public static Diagnostic InvalidEscape(TextSpan at) =>
        Make(DiagnosticCatalog.BadEscape, at, "Invalid escape: only \\\" \\\\ \\n and \\t are allowed in strings");
}
