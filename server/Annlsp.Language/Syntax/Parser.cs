using Annlsp.Language.Diagnostics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Syntax;

/// <summary>
/// Hand-written recursive descent parser in the resilient style: it never throws, always returns a tree
/// covering every character, inserts zero-width missing tokens where something is required, and wraps
/// what it cannot place in <see cref="SkippedTokensSyntax"/>. Every loop consumes a token or stops, and
/// nesting deeper than <see cref="MaxDepth"/> is skipped iteratively, so no input loops or overflows the stack.
/// </summary>
public sealed partial class Parser
{
    public const int MaxDepth = 100;

    private readonly Lexer _lexer;
    private readonly DiagnosticBag _diagnostics;
    private int _depth;

    private readonly CancellationToken _cancellation;

    // Tokens come from the lexer as the parser needs them, through a small look-ahead window: a list of
    // every token of a big document would be one large-object-heap array per analysis (a full GC's worth).
    private const int Window = 4; // a power of two above the parser's furthest look-ahead (2)
    private readonly SyntaxToken[] _window = new SyntaxToken[Window];
    private int _head;      // index of the current token in _window
    private int _buffered;  // tokens read ahead, the current one included
    private int _advanced;  // tokens consumed so far, for the cancellation check
    private SyntaxToken? _previous;

    private Parser(Lexer lexer, DiagnosticBag diagnostics, CancellationToken cancellation)
    {
        _lexer = lexer;
        _diagnostics = diagnostics;
        _cancellation = cancellation;
    }

    public static CompilationUnitSyntax Parse(string text, DiagnosticBag diagnostics, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        return new Parser(new Lexer(text, diagnostics), diagnostics, cancellation).ParseCompilationUnit();
    }

    private SyntaxToken Current => Peek(0);

    /// <summary>The token <paramref name="ahead"/> places after the current one; the end of file repeats.</summary>
    private SyntaxToken Peek(int ahead)
    {
        while (_buffered <= ahead)
        {
            if (_buffered > 0 && _window[(_head + _buffered - 1) & (Window - 1)].Kind == SyntaxKind.EndOfFile)
                return _window[(_head + _buffered - 1) & (Window - 1)];
            _window[(_head + _buffered) & (Window - 1)] = _lexer.Next();
            _buffered++;
        }
        return _window[(_head + ahead) & (Window - 1)];
    }

    private SyntaxToken Advance()
    {
        var t = Current;
        if (t.Kind == SyntaxKind.EndOfFile) return t;
        _previous = t;
        _head = (_head + 1) & (Window - 1);
        _buffered--;
        // A superseded analysis of a big file must stop promptly, not after seconds.
        if ((++_advanced & 4095) == 0) _cancellation.ThrowIfCancellationRequested();
        return t;
    }

    private int PreviousEnd => _previous?.Span.End ?? 0;

    private SyntaxToken Missing(SyntaxKind kind) =>
        new(kind, PreviousEnd, "", TriviaRun.None, isMissing: true);

    private static string Describe(SyntaxToken t) => t.Kind switch
    {
        SyntaxKind.EndOfFile => "end of file",
        SyntaxKind.BadToken => $"'{t.Text}'",
        _ => $"'{(t.Text.Length > 30 ? t.Text[..30] + "…" : t.Text)}'",
    };

    /// <summary>An unterminated string swallows the rest of its line; the closers it ate are already explained.</summary>
    private bool AfterUnterminatedString =>
        _previous is { Kind: SyntaxKind.String } s && (s.Text.Length < 2 || !s.Text.EndsWith('"'));

    private SyntaxToken Expect(SyntaxKind kind, string context)
    {
        if (Current.Kind == kind) return Advance();
        if (!AfterUnterminatedString)
            _diagnostics.Add(DiagnosticBuilder.MissingToken(new TextSpan(PreviousEnd, 0), SyntaxFacts.Display(kind), context, Describe(Current)));
        return Missing(kind);
    }

    /// <summary>As <see cref="Expect(SyntaxKind, string)"/>, the context ("to open network 'LeNet'") built only when reported.</summary>
    private SyntaxToken Expect(SyntaxKind kind, string context, string ownerKind, SyntaxToken? ownerName) =>
        Current.Kind == kind ? Advance()
        : Expect(kind, ownerName is null ? context + ownerKind : $"{context}{ownerKind} '{ownerName.Text}'");

    // Item lists are only scaffolding (a node copies its items), so they are reused: parsing a big document
    // would otherwise make and grow a list for every argument list and body.
    private readonly Stack<List<SyntaxElement>> _lists = new();

    private List<SyntaxElement> RentList() => _lists.TryPop(out var list) ? list : new List<SyntaxElement>(8);

    private void ReturnList(List<SyntaxElement> list)
    {
        list.Clear();
        _lists.Push(list);
    }

    private SyntaxToken ExpectName(string what)
    {
        if (Current.Kind == SyntaxKind.Identifier) return Advance();
        if (SyntaxFacts.IsKeyword(Current.Kind) && Peek(1).Kind is SyntaxKind.OpenBrace or SyntaxKind.OpenParen)
        {
            // `network train {`: take the keyword as the intended name, so one diagnostic explains it all.
            _diagnostics.Add(DiagnosticBuilder.KeywordAsName(Current.Span, Describe(Current), what));
            return Advance();
        }
        _diagnostics.Add(DiagnosticBuilder.MissingName(new TextSpan(PreviousEnd, 0), what, Describe(Current), SyntaxFacts.IsKeyword(Current.Kind)));
        return Missing(SyntaxKind.Identifier);
    }

    private static bool EndsDeclaration(SyntaxKind k) => k == SyntaxKind.EndOfFile || SyntaxFacts.IsDeclarationKeyword(k);

    // ── Declarations ─────────────────────────────────────────────────────────────

    private CompilationUnitSyntax ParseCompilationUnit()
    {
        var members = RentList();
        while (Current.Kind != SyntaxKind.EndOfFile)
        {
            switch (Current.Kind)
            {
                case SyntaxKind.NetworkKeyword: members.Add(ParseNetwork()); break;
                case SyntaxKind.BlockKeyword: members.Add(ParseBlock()); break;
                case SyntaxKind.GanKeyword: members.Add(ParseGan()); break;
                case SyntaxKind.DiffusionKeyword: members.Add(ParseDiffusion()); break;
                case SyntaxKind.TrainKeyword: members.Add(ParseTrain()); break;
                default:
                    members.Add(SkipUntil(k => EndsDeclaration(k),
                        "a declaration (network, block, gan, diffusion or train)"));
                    break;
            }
        }
        var unit = new CompilationUnitSyntax(members, Current);
        ReturnList(members);
        return unit;
    }

    private NetworkDeclarationSyntax ParseNetwork()
    {
        var keyword = Advance();
        var name = ExpectName("a network name after 'network'");
        return new NetworkDeclarationSyntax(keyword, name, ParseStackBody("network", name));
    }

    private BlockDeclarationSyntax ParseBlock()
    {
        var keyword = Advance();
        var name = ExpectName("a block name after 'block'");
        ParameterListSyntax? parameters = Current.Kind == SyntaxKind.OpenParen ? ParseParameterList() : null;
        return new BlockDeclarationSyntax(keyword, name, parameters, ParseStackBody("block", name));
    }

    private ParameterListSyntax ParseParameterList()
    {
        var open = Advance();
        var items = RentList();
        while (true)
        {
            var k = Current.Kind;
            if (k is SyntaxKind.CloseParen or SyntaxKind.OpenBrace or SyntaxKind.CloseBrace || EndsDeclaration(k)) break;
            if (k is SyntaxKind.Identifier or SyntaxKind.Comma) { items.Add(Advance()); continue; }
            items.Add(SkipOne("a parameter name"));
        }
        var list = new ParameterListSyntax(open, items, Expect(SyntaxKind.CloseParen, "to close the parameter list"));
        ReturnList(items);
        return list;
    }

    private GanDeclarationSyntax ParseGan()
    {
        var keyword = Advance();
        var name = ExpectName("a gan name after 'gan'");
        return new GanDeclarationSyntax(keyword, name, ParsePropertyBody("gan", name));
    }

    private DiffusionDeclarationSyntax ParseDiffusion()
    {
        var keyword = Advance();
        var name = ExpectName("a diffusion name after 'diffusion'");
        return new DiffusionDeclarationSyntax(keyword, name, ParsePropertyBody("diffusion", name));
    }

    private TrainDeclarationSyntax ParseTrain()
    {
        var keyword = Advance();
        var target = ExpectName("the network, gan or diffusion to train after 'train'");
        TrainNameSyntax? runName = null;
        if (Current.Kind == SyntaxKind.Identifier && Current.Text == "as")
        {
            var asWord = Advance();
            runName = new TrainNameSyntax(asWord, ExpectName("a name after 'as'"));
        }
        return new TrainDeclarationSyntax(keyword, target, runName, ParsePropertyBody("train", target));
    }

    // ── Stacks ───────────────────────────────────────────────────────────────────

    private StackBodySyntax ParseStackBody(string ownerKind, SyntaxToken? ownerName)
    {
        var open = Expect(SyntaxKind.OpenBrace, "to open ", ownerKind, ownerName);
        var items = RentList();
        if (!open.IsMissing || Current.Kind is SyntaxKind.Identifier or SyntaxKind.ResidualKeyword)
        {
            while (true)
            {
                var k = Current.Kind;
                if (k == SyntaxKind.CloseBrace || EndsDeclaration(k)) break;
                switch (k)
                {
                    case SyntaxKind.Identifier or SyntaxKind.ResidualKeyword: items.Add(ParseStackItem(allowName: true)); break;
                    case SyntaxKind.Arrow: items.Add(Advance()); break;
                    case SyntaxKind.OpenBrace:
                        items.Add(SkipBalanced(DiagnosticBuilder.UnexpectedOpenBrace));
                        break;
                    default:
                        items.Add(SkipUntil(
                            t => t is SyntaxKind.Identifier or SyntaxKind.ResidualKeyword or SyntaxKind.Arrow
                                 or SyntaxKind.CloseBrace or SyntaxKind.OpenBrace || EndsDeclaration(t),
                            "a layer"));
                        break;
                }
            }
        }
        var body = new StackBodySyntax(open, items, Expect(SyntaxKind.CloseBrace, "to close ", ownerKind, ownerName));
        ReturnList(items);
        return body;
    }

    /// <summary>A layer, block use, residual or merge, and with <paramref name="allowName"/> the `as NAME` after it.</summary>
    private SyntaxElement ParseStackItem(bool allowName)
    {
        if (Current.Kind == SyntaxKind.ResidualKeyword) return ParseResidual(allowName);
        if (Current.Text is "concat" or "add") return ParseMerge(allowName);
        var name = Advance();
        ArgumentListSyntax? args = Current.Kind == SyntaxKind.OpenParen ? ParseArgumentList() : null;
        return new LayerSyntax(name, args, allowName ? ParseTensorName() : null);
    }

    /// <summary>`as NAME` when the current word is `as`; the name must follow on the same line (`conv(8) as` ⏎ `relu`: relu is the next layer).</summary>
    private TensorNameSyntax? ParseTensorName()
    {
        if (Current.Kind != SyntaxKind.Identifier || Current.Text != "as") return null;
        var asWord = Advance();
        if (Current.Kind == SyntaxKind.Identifier && !Current.StartsLine && Current.Text != "as")
            return new TensorNameSyntax(asWord, Advance());
        _diagnostics.Add(DiagnosticBuilder.MissingName(new TextSpan(PreviousEnd, 0), "a tensor name after 'as'", Describe(Current), SyntaxFacts.IsKeyword(Current.Kind) && !Current.StartsLine));
        return new TensorNameSyntax(asWord, Missing(SyntaxKind.Identifier));
    }

    private SyntaxElement ParseResidual(bool allowName)
    {
        if (_depth >= MaxDepth)
            return SkipBalanced(static at => DiagnosticBuilder.TooDeep(at, MaxDepth));
        var keyword = Advance();
        _depth++;
        ShortcutSyntax? shortcut = null;
        bool shortcutBroken = false;
        if (Current.Kind == SyntaxKind.OpenParen) shortcut = ParseShortcut(out shortcutBroken);
        // `residual(shortcut: ` with nothing after it yet: one diagnostic, not another for the missing body.
        var body = shortcutBroken && Current.Kind != SyntaxKind.OpenBrace
            ? new StackBodySyntax(Missing(SyntaxKind.OpenBrace), [], Missing(SyntaxKind.CloseBrace))
            : ParseStackBody("residual", null);
        _depth--;
        return new ResidualSyntax(keyword, shortcut, body, allowName ? ParseTensorName() : null);
    }

    /// <summary>`(shortcut: chain)`. <paramref name="broken"/>: a diagnostic was reported and the closing parenthesis is missing.</summary>
    private ShortcutSyntax ParseShortcut(out bool broken)
    {
        var open = Advance();
        broken = false;
        SyntaxToken label, colon;
        if (Current.Kind == SyntaxKind.Identifier && Peek(1).Kind == SyntaxKind.Colon)
        {
            label = Advance();
            colon = Advance();
        }
        else if (Current.Kind == SyntaxKind.Identifier && Current.Text == "shortcut")
        {
            label = Advance();
            colon = Expect(SyntaxKind.Colon, "after 'shortcut'");
        }
        else
        {
            _diagnostics.Add(DiagnosticBuilder.MissingShortcutLabel(new TextSpan(PreviousEnd, 0), Describe(Current)));
            label = Missing(SyntaxKind.Identifier);
            colon = Missing(SyntaxKind.Colon);
            broken = true;
        }
        ChainSyntax? chain = null;
        if (Current.Kind is SyntaxKind.Identifier or SyntaxKind.ResidualKeyword) chain = ParseChain(leadingArrow: false);
        else if (!broken)
        {
            _diagnostics.Add(DiagnosticBuilder.MissingShortcutChain(new TextSpan(PreviousEnd, 0), Describe(Current)));
            broken = true;
        }
        SkippedTokensSyntax? skipped = null;
        if (Current.Kind is not (SyntaxKind.CloseParen or SyntaxKind.OpenBrace or SyntaxKind.CloseBrace) && !EndsDeclaration(Current.Kind))
        {
            skipped = SkipUntil(t => t is SyntaxKind.CloseParen or SyntaxKind.OpenBrace or SyntaxKind.CloseBrace || EndsDeclaration(t),
                broken ? "')'" : "'->' or ')'");
            broken = true;
        }
        SyntaxToken close = (broken || JustReportedMissing()) && Current.Kind != SyntaxKind.CloseParen
            ? Missing(SyntaxKind.CloseParen)
            : Expect(SyntaxKind.CloseParen, "to close the shortcut");
        if (close.IsMissing) broken = true;
        return new ShortcutSyntax(open, label, colon, chain, skipped, close);
    }

    /// <summary>
    /// Items joined by arrows, starting at an item (a shortcut) or at an arrow (after a merge argument's name).
    /// Stops at anything else; an arrow with no item after it is reported once.
    /// </summary>
    private ChainSyntax ParseChain(bool leadingArrow)
    {
        var items = RentList();
        if (!leadingArrow) items.Add(ParseStackItem(allowName: false));
        while (Current.Kind == SyntaxKind.Arrow)
        {
            items.Add(Advance());
            if (Current.Kind is SyntaxKind.Identifier or SyntaxKind.ResidualKeyword) items.Add(ParseStackItem(allowName: false));
            else
            {
                _diagnostics.Add(DiagnosticBuilder.MissingChainLayer(new TextSpan(PreviousEnd, 0), Describe(Current)));
                break;
            }
        }
        var chain = new ChainSyntax(items);
        ReturnList(items);
        return chain;
    }

    /// <summary>A missing-token diagnostic was just reported where the previous token ends: `add(e1 -> conv(` ⏎ needs one, not a second for add's ')'.</summary>
    private bool JustReportedMissing() =>
        _diagnostics.Items.Count > 0 && _diagnostics.Items[^1] is { Code: "ANN1005" } last && last.Span.Start == PreviousEnd && last.Span.Length == 0;

    /// <summary>`concat(e1, e2 -> conv(8))`, `add(time -> dense(c))`.</summary>
    private SyntaxElement ParseMerge(bool allowName)
    {
        if (_depth >= MaxDepth)
            return SkipBalanced(static at => DiagnosticBuilder.TooDeep(at, MaxDepth));
        var name = Advance();
        if (Current.Kind != SyntaxKind.OpenParen)
        {
            _diagnostics.Add(DiagnosticBuilder.MissingMergeArguments(new TextSpan(PreviousEnd, 0), name.Text));
            return new MergeSyntax(name, Missing(SyntaxKind.OpenParen), [], Missing(SyntaxKind.CloseParen), allowName ? ParseTensorName() : null);
        }
        var open = Advance();
        var items = RentList();
        _depth++;
        bool reported = false;
        while (true)
        {
            var k = Current.Kind;
            if (k is SyntaxKind.CloseParen or SyntaxKind.OpenBrace or SyntaxKind.CloseBrace || EndsDeclaration(k)) break;
            if (k == SyntaxKind.Comma) { items.Add(Advance()); continue; }
            bool afterArgument = items.Count > 0 && items[^1] is MergeArgumentSyntax;
            if (k is SyntaxKind.Identifier or SyntaxKind.Arrow)
            {
                if (Current.StartsLine && (afterArgument
                    || k == SyntaxKind.Identifier && Peek(1).Kind is not (SyntaxKind.Comma or SyntaxKind.CloseParen or SyntaxKind.Arrow)))
                    break; // `concat(` ⏎ `relu`: the list was left open; the name on the next line is the next layer
                if (afterArgument)
                    _diagnostics.Add(DiagnosticBuilder.MissingComma(new TextSpan(PreviousEnd, 0), Describe(Current)));
                items.Add(ParseMergeArgument());
                continue;
            }
            // `concat(conv(8))`: a layer written where a tensor belongs; its parentheses go with it.
            items.Add(k == SyntaxKind.OpenParen
                ? SkipBalanced(static at => DiagnosticBuilder.Unexpected(at, "',' or ')' after a tensor name (write a chain as `e1 -> conv(…)`)", "'('"))
                : SkipUntil(t => t is SyntaxKind.Comma or SyntaxKind.CloseParen or SyntaxKind.OpenParen or SyntaxKind.OpenBrace
                    or SyntaxKind.CloseBrace or SyntaxKind.Identifier or SyntaxKind.Arrow || EndsDeclaration(t), "a tensor name"));
            reported = true;
        }
        _depth--;
        var close = (reported || JustReportedMissing()) && Current.Kind != SyntaxKind.CloseParen
            ? Missing(SyntaxKind.CloseParen)
            : Current.Kind == SyntaxKind.CloseParen ? Advance() : Expect(SyntaxKind.CloseParen, $"to close {name.Text}'s arguments");
        var merge = new MergeSyntax(name, open, items, close, allowName ? ParseTensorName() : null);
        ReturnList(items);
        return merge;
    }

    private MergeArgumentSyntax ParseMergeArgument()
    {
        SyntaxToken source;
        if (Current.Kind == SyntaxKind.Identifier) source = Advance();
        else
        {
            _diagnostics.Add(DiagnosticBuilder.MissingName(new TextSpan(PreviousEnd, 0), "a tensor name before '->'", Describe(Current), false));
            source = Missing(SyntaxKind.Identifier);
        }
        return new MergeArgumentSyntax(source, Current.Kind == SyntaxKind.Arrow ? ParseChain(leadingArrow: true) : null);
    }

    // ── Arguments, properties, values ────────────────────────────────────────────

    private static bool CanStartValue(SyntaxKind k) => k is SyntaxKind.Identifier or SyntaxKind.Number
        or SyntaxKind.ShapeLiteral or SyntaxKind.String or SyntaxKind.TrueKeyword or SyntaxKind.FalseKeyword;

    private ArgumentListSyntax ParseArgumentList()
    {
        var open = Advance();
        var items = RentList();
        _depth++;
        while (true)
        {
            var k = Current.Kind;
            if (k is SyntaxKind.CloseParen or SyntaxKind.OpenBrace or SyntaxKind.CloseBrace or SyntaxKind.Arrow || EndsDeclaration(k)) break;
            if (!CanStartValue(k) && k != SyntaxKind.Comma)
            {
                items.Add(SkipOne("an argument"));
                continue;
            }
            if (k != SyntaxKind.Comma && items.Count > 0 && items[^1] is ArgumentSyntax && Current.StartsLine)
                break; // a new line after an argument without ',' or ')': the list was left open
            if (k == SyntaxKind.Identifier && Current.StartsLine && !CouldBeArgument(Peek(1).Kind)
                && (items.Count == 0 || items[^1] is not SyntaxToken { Kind: SyntaxKind.Comma }))
                break; // a name starting a new line is the next layer, not an argument: `dense(` ⏎ `relu`
            if (k != SyntaxKind.Comma && items.Count > 0 && items[^1] is ArgumentSyntax)
                _diagnostics.Add(DiagnosticBuilder.MissingComma(new TextSpan(PreviousEnd, 0), Describe(Current)));
            items.Add(ParseArgument());
            if (Current.Kind == SyntaxKind.Comma) items.Add(Advance());
        }
        _depth--;
        var list = new ArgumentListSyntax(open, items, Expect(SyntaxKind.CloseParen, "to close the argument list"));
        ReturnList(items);
        return list;
    }

    /// <summary>A name followed by one of these continues the argument list (`max,` `same)` `f * 2` `k:`).</summary>
    private static bool CouldBeArgument(SyntaxKind next) =>
        next is SyntaxKind.Colon or SyntaxKind.Comma or SyntaxKind.CloseParen or SyntaxKind.Star;

    private ArgumentSyntax ParseArgument()
    {
        // `name:` starts a named argument even without a space (`kernel:3`); `cuda:1` is only a value.
        if (Current.Kind == SyntaxKind.Identifier && Peek(1).Kind == SyntaxKind.Colon)
        {
            var name = Advance();
            var colon = Advance();
            if (Current.Kind == SyntaxKind.Identifier && Current.StartsLine && !CouldBeArgument(Peek(1).Kind))
            {
                // `kernel:` ⏎ `relu`: the value was not typed yet; the name on the next line is the next layer.
                _diagnostics.Add(DiagnosticBuilder.MissingArgumentValue(new TextSpan(PreviousEnd, 0), name.Text));
                return new ArgumentSyntax(name, colon, new MissingExpressionSyntax(Missing(SyntaxKind.Identifier)));
            }
            return new ArgumentSyntax(name, colon, ParseValue());
        }
        return new ArgumentSyntax(null, null, ParseValue());
    }

    private PropertyBodySyntax ParsePropertyBody(string ownerKind, SyntaxToken ownerName)
    {
        var open = Expect(SyntaxKind.OpenBrace, "to open ", ownerKind, ownerName);
        var items = RentList();
        if (!open.IsMissing || Current.Kind == SyntaxKind.Identifier)
        {
            while (true)
            {
                var k = Current.Kind;
                if (k == SyntaxKind.CloseBrace || EndsDeclaration(k)) break;
                if (k == SyntaxKind.Identifier)
                {
                    var name = Advance();
                    // The context is built only when the colon is missing: a big document has thousands of properties.
                    var colon = Current.Kind == SyntaxKind.Colon ? Advance() : Expect(SyntaxKind.Colon, $"after '{name.Text}'");
                    var value = ParseValue();
                    SyntaxToken? comma = Current.Kind == SyntaxKind.Comma ? Advance() : null;
                    items.Add(new PropertySyntax(name, colon, value, comma));
                    continue;
                }
                items.Add(SkipUntil(t => t is SyntaxKind.Identifier or SyntaxKind.CloseBrace || EndsDeclaration(t),
                    "a property (name: value)"));
            }
        }
        var body = new PropertyBodySyntax(open, items, Expect(SyntaxKind.CloseBrace, "to close ", ownerKind, ownerName));
        ReturnList(items);
        return body;
    }

    /// <summary>`cuda:1` — a name, a colon and a number written together, without spaces.</summary>
    private bool IsDeviceSuffix() =>
        Current.Kind == SyntaxKind.Identifier && Peek(1).Kind == SyntaxKind.Colon && !Peek(1).HasLeadingTrivia
        && Peek(2).Kind == SyntaxKind.Number && !Peek(2).HasLeadingTrivia;

    private ExpressionSyntax ParseValue()
    {
        var left = ParsePrimary();
        while (Current.Kind == SyntaxKind.Star)
        {
            var star = Advance();
            left = new ProductExpressionSyntax(left, star, ParsePrimary());
        }
        return left;
    }

    private ExpressionSyntax ParsePrimary()
    {
        var k = Current.Kind;
        // `name:` here is the next argument or property: this value is missing.
        bool nextIsLabel = k == SyntaxKind.Identifier && Peek(1).Kind == SyntaxKind.Colon && !IsDeviceSuffix();
        if (k is SyntaxKind.Number or SyntaxKind.ShapeLiteral or SyntaxKind.String or SyntaxKind.TrueKeyword or SyntaxKind.FalseKeyword)
            return new LiteralExpressionSyntax(Advance());
        if (k == SyntaxKind.Identifier && !nextIsLabel)
        {
            if (IsDeviceSuffix())
                return new NameExpressionSyntax(Advance(), Advance(), Advance());
            var name = Advance();
            if (Current.Kind == SyntaxKind.OpenParen)
            {
                if (_depth >= MaxDepth)
                {
                    var open = Missing(SyntaxKind.OpenParen); // positioned before the skipped tokens it precedes
                    var skipped = SkipBalanced(static at => DiagnosticBuilder.TooDeep(at, MaxDepth));
                    return new CallExpressionSyntax(name, new ArgumentListSyntax(open, [skipped], Missing(SyntaxKind.CloseParen)));
                }
                return new CallExpressionSyntax(name, ParseArgumentList());
            }
            return new NameExpressionSyntax(name);
        }
        _diagnostics.Add(DiagnosticBuilder.MissingValue(new TextSpan(PreviousEnd, 0), Describe(Current)));
        return new MissingExpressionSyntax(Missing(SyntaxKind.Identifier));
    }
}
