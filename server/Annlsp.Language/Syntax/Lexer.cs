using System.Globalization;
using System.Text;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Syntax;

/// <summary>
/// Turns text into tokens with leading trivia. Never fails: anything it does not understand becomes a
/// <see cref="SyntaxKind.BadToken"/> with a diagnostic, so every character ends up in the tree.
/// </summary>
public sealed class Lexer(string text, DiagnosticBag diagnostics)
{
    private int _pos;
    /// <summary>The interned strings: an open-addressing table (a power of two, at most half full) looked up by span.</summary>
    private string?[] _strings = new string?[1024];
    private int _stringCount;
    /// <summary>Trivia runs by their text: tokens after the same indentation share one.</summary>
    private readonly Dictionary<string, TriviaRun>.AlternateLookup<ReadOnlySpan<char>> _runsBySpan =
        new Dictionary<string, TriviaRun>().GetAlternateLookup<ReadOnlySpan<char>>();
    /// <summary>Number texts with their values: shared by the tokens that repeat them (values are immutable).</summary>
    private readonly Dictionary<string, TokenText> _numbers = new();

    /// <summary>One string instance per distinct short text (names, punctuation, indentation): most tokens repeat.</summary>
    private string Intern(int start, int end)
    {
        int length = end - start;
        if (length > 32) return text[start..end];
        var span = text.AsSpan(start, length);
        var table = _strings;
        int mask = table.Length - 1;
        for (int i = (int)Hash(span) & mask; ; i = (i + 1) & mask)
        {
            var s = table[i];
            if (s is null)
            {
                s = span.ToString();
                table[i] = s;
                if (++_stringCount * 2 > table.Length) GrowStrings();
                return s;
            }
            if (s.Length == length && span.SequenceEqual(s)) return s;
        }
    }

    /// <summary>FNV-1a: the texts are short (names, numbers, indentation), so a simple hash beats a general one.</summary>
    private static uint Hash(ReadOnlySpan<char> span)
    {
        uint h = 2166136261;
        foreach (char c in span) h = (h ^ c) * 16777619;
        return h ^ (h >> 15);
    }

    private void GrowStrings()
    {
        var bigger = new string?[_strings.Length * 2];
        int mask = bigger.Length - 1;
        foreach (var s in _strings)
        {
            if (s is null) continue;
            int i = (int)Hash(s) & mask;
            while (bigger[i] is not null) i = (i + 1) & mask;
            bigger[i] = s;
        }
        _strings = bigger;
    }

    public static List<SyntaxToken> Tokenize(string text, DiagnosticBag diagnostics, CancellationToken cancellation = default)
    {
        var lexer = new Lexer(text, diagnostics);
        var tokens = new List<SyntaxToken>(text.Length / 4 + 1);
        while (true)
        {
            // A superseded analysis of a big file must stop promptly, not after seconds.
            if ((tokens.Count & 4095) == 0) cancellation.ThrowIfCancellationRequested();
            var token = lexer.Next();
            tokens.Add(token);
            if (token.Kind == SyntaxKind.EndOfFile) return tokens;
        }
    }

    private char Peek(int ahead = 0) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';

    public SyntaxToken Next()
    {
        var leading = ReadTrivia();
        int start = _pos;
        if (_pos >= text.Length) return new SyntaxToken(SyntaxKind.EndOfFile, start, "", leading);

        char c = text[_pos];
        if (IsIdentifierStart(c))
        {
            while (IsIdentifierPart(Peek())) _pos++;
            string word = Intern(start, _pos);
            return new SyntaxToken(SyntaxFacts.KeywordKind(word) ?? SyntaxKind.Identifier, start, word, leading);
        }
        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Peek(1))) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            return LexNumberOrShape(start, leading);
        if (c == '"') return LexString(start, leading);

        SyntaxKind kind;
        string punctuation;
        int length = 1;
        switch (c)
        {
            case '{': kind = SyntaxKind.OpenBrace; punctuation = "{"; break;
            case '}': kind = SyntaxKind.CloseBrace; punctuation = "}"; break;
            case '(': kind = SyntaxKind.OpenParen; punctuation = "("; break;
            case ')': kind = SyntaxKind.CloseParen; punctuation = ")"; break;
            case ',': kind = SyntaxKind.Comma; punctuation = ","; break;
            case ':': kind = SyntaxKind.Colon; punctuation = ":"; break;
            case '*': kind = SyntaxKind.Star; punctuation = "*"; break;
            case '-' when Peek(1) == '>': kind = SyntaxKind.Arrow; punctuation = "->"; length = 2; break;
            default:
                // Group a run of unknown characters into one token: one diagnostic, not thousands.
                while (_pos + length < text.Length && IsUnknownStart(text[_pos + length])) length++;
                if (char.IsHighSurrogate(c) && length == 1 && _pos + 1 < text.Length) length = 2;
                _pos += length;
                string bad = text[start.._pos];
                bool single = length == 1 || (length == 2 && char.IsSurrogatePair(bad, 0));
                diagnostics.Add(DiagnosticBuilder.UnexpectedCharacters(new TextSpan(start, length),
                    Printable(bad.Length > 20 ? bad[..20] + "…" : bad), single));
                return new SyntaxToken(SyntaxKind.BadToken, start, bad, leading);
        }
        _pos += length;
        return new SyntaxToken(kind, start, punctuation, leading);
    }

    private static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (char ch in s) sb.Append(char.IsControl(ch) ? $"\\u{(int)ch:X4}" : ch.ToString());
        return sb.ToString();
    }

    private bool IsUnknownStart(char c) =>
        !(IsIdentifierStart(c) || char.IsAsciiDigit(c) || c is '"' or '{' or '}' or '(' or ')' or ',' or ':' or '*' or '-' or '.' or '#'
          || IsSpace(c) || c is '\r' or '\n');

    /// <summary>Whitespace within a line (line breaks are trivia of their own kind).</summary>
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\f' or '\v' or '\uFEFF';

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';
    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private TriviaRun ReadTrivia()
    {
        int runStart = _pos;
        bool hasComment = false;
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (IsSpace(c) || c is '\r' or '\n') _pos++;
            else if (c == '#')
            {
                hasComment = true;
                while (_pos < text.Length && text[_pos] is not ('\r' or '\n')) _pos++;
            }
            else break;
        }
        int length = _pos - runStart;
        if (length == 0) return TriviaRun.None;
        // The commonest runs, without hashing: one space, and a line break followed by an indentation.
        if (length == 1 && text[runStart] == ' ') return _space ??= SplitTrivia(runStart, _pos);
        if (!hasComment && text[runStart] == '\n' && length - 1 < _newLineIndents.Length && OnlySpaces(runStart + 1, _pos))
            return _newLineIndents[length - 1] ??= SplitTrivia(runStart, _pos);
        // Runs with a comment are shared too: a generated or copied file repeats its trailing comments.
        if (length > 64) return SplitTrivia(runStart, _pos);
        if (_runsBySpan.TryGetValue(text.AsSpan(runStart, _pos - runStart), out var shared)) return shared;
        var run = SplitTrivia(runStart, _pos);
        _runsBySpan.Dictionary[text[runStart.._pos]] = run;
        return run;
    }

    private TriviaRun? _space;
    private readonly TriviaRun?[] _newLineIndents = new TriviaRun?[17];

    private bool OnlySpaces(int start, int end)
    {
        for (int i = start; i < end; i++) if (text[i] != ' ') return false;
        return true;
    }

    /// <summary>Splits the trivia text [start, end) into whitespace, line breaks and comments.</summary>
    private TriviaRun SplitTrivia(int start, int end)
    {
        // Two passes, counting the pieces and then filling arrays of that size: no lists copied to arrays.
        int count = 0;
        for (int i = start; i < end; count++) i = PieceEnd(i, end, out _);
        var kinds = new SyntaxKind[count];
        var texts = new string[count];
        for (int i = start, n = 0; i < end; n++)
        {
            int pieceEnd = PieceEnd(i, end, out kinds[n]);
            texts[n] = kinds[n] == SyntaxKind.Comment ? text[i..pieceEnd] : Intern(i, pieceEnd);
            i = pieceEnd;
        }
        return new TriviaRun(kinds, texts);
    }

    /// <summary>The end of the trivia piece starting at <paramref name="i"/> (a line break, a comment or a run of spaces), and its kind.</summary>
    private int PieceEnd(int i, int end, out SyntaxKind kind)
    {
        char c = text[i];
        if (c is '\r' or '\n')
        {
            kind = SyntaxKind.NewLine;
            return i + (c == '\r' && i + 1 < end && text[i + 1] == '\n' ? 2 : 1);
        }
        if (c == '#')
        {
            kind = SyntaxKind.Comment;
            while (i < end && text[i] is not ('\r' or '\n')) i++;
            return i;
        }
        kind = SyntaxKind.Whitespace;
        while (i < end && IsSpace(text[i])) i++;
        return i;
    }

    private SyntaxToken LexNumberOrShape(int start, TriviaRun leading)
    {
        bool negative = Peek() == '-';
        if (negative) _pos++;
        int digitsStart = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        bool hasIntegerDigits = _pos > digitsStart;

        // Shape literal: integers joined by x, one token (1x28x28, 5x5).
        if (hasIntegerDigits && !negative && Peek() is 'x' or 'X' && char.IsAsciiDigit(Peek(1)))
            return LexShape(start, leading);

        bool isInteger = true;
        if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
        {
            isInteger = false;
            _pos++;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }
        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            isInteger = false;
            _pos += 2;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }
        string numberText = Intern(start, _pos);
        var numberSpan = new TextSpan(start, numberText.Length);
        if (_numbers.TryGetValue(numberText, out var known)) return new SyntaxToken(SyntaxKind.Number, start, known, leading);
        if (isInteger)
        {
            if (long.TryParse(numberText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                return new SyntaxToken(SyntaxKind.Number, start, KnownNumber(numberText, new NumberValue(l, l)), leading);
            diagnostics.Add(DiagnosticBuilder.IntegerTooLarge(numberSpan, Shorten(numberText)));
            return new SyntaxToken(SyntaxKind.Number, start, numberText, leading, null);
        }
        if (double.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
            return new SyntaxToken(SyntaxKind.Number, start, KnownNumber(numberText, new NumberValue(d, null)), leading);
        diagnostics.Add(DiagnosticBuilder.NumberOutOfRange(numberSpan, Shorten(numberText)));
        return new SyntaxToken(SyntaxKind.Number, start, numberText, leading, null);
    }

    private TokenText KnownNumber(string text, NumberValue value)
    {
        var known = new TokenText(text, value);
        if (text.Length <= 32) _numbers[text] = known;
        return known;
    }

    private SyntaxToken LexShape(int start, TriviaRun leading)
    {
        while (Peek() is 'x' or 'X' && char.IsAsciiDigit(Peek(1)))
        {
            _pos++;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }
        // Letters or a dot glued on (1x28x28a, 3x3.5) make the literal invalid as a whole.
        bool junk = false;
        while (IsIdentifierPart(Peek()) || (Peek() == '.' && char.IsAsciiDigit(Peek(1)))) { _pos++; junk = true; }
        string shapeText = Intern(start, _pos);
        var span = new TextSpan(start, shapeText.Length);
        if (junk)
        {
            diagnostics.Add(DiagnosticBuilder.InvalidShapeLiteral(span, Shorten(shapeText)));
            return new SyntaxToken(SyntaxKind.ShapeLiteral, start, shapeText, leading, null);
        }
        // Parsed in place (no Split): the literal is digits joined by single x's, checked above.
        var literal = shapeText.AsSpan();
        int count = literal.Count('x') + literal.Count('X') + 1;
        var dims = new long[count];
        for (int i = 0, at = 0; i < count; i++)
        {
            int length = literal[at..].IndexOfAny('x', 'X');
            var part = length < 0 ? literal[at..] : literal.Slice(at, length);
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] > int.MaxValue)
            {
                diagnostics.Add(DiagnosticBuilder.ShapeDimensionTooLarge(span, Shorten(part.ToString())));
                return new SyntaxToken(SyntaxKind.ShapeLiteral, start, shapeText, leading, null);
            }
            at += part.Length + 1;
        }
        return new SyntaxToken(SyntaxKind.ShapeLiteral, start, shapeText, leading, dims);
    }

    private static string Shorten(string s) => s.Length > 24 ? s[..24] + "…" : s;

    private SyntaxToken LexString(int start, TriviaRun leading)
    {
        _pos++; // opening quote
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length || text[_pos] is '\r' or '\n')
            {
                diagnostics.Add(DiagnosticBuilder.UnterminatedStringLiteral(TextSpan.FromBounds(start, _pos)));
                return new SyntaxToken(SyntaxKind.String, start, text[start.._pos], leading, value.ToString());
            }
            char c = text[_pos];
            if (c == '"') { _pos++; break; }
            if (c == '\\')
            {
                char n = Peek(1);
                if (n is '"' or '\\') { value.Append(n); _pos += 2; continue; }
                if (n == 'n') { value.Append('\n'); _pos += 2; continue; }
                if (n == 't') { value.Append('\t'); _pos += 2; continue; }
                diagnostics.Add(DiagnosticBuilder.InvalidEscape(new TextSpan(_pos, n is '\0' or '\r' or '\n' ? 1 : 2)));
                _pos += n is '\0' or '\r' or '\n' ? 1 : 2;
                continue;
            }
            value.Append(c);
            _pos++;
        }
        return new SyntaxToken(SyntaxKind.String, start, text[start.._pos], leading, value.ToString());
    }
}
