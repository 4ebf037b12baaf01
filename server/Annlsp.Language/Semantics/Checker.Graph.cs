using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>
/// The running tensor of a stack: the network's input, the output of a layer, or `time`. A
/// <see cref="TensorSource"/> is made from it only when a name is given (most layers are never named).
/// </summary>
internal readonly record struct Running(TensorSourceKind Kind, LayerInstance? Producer)
{
    public static readonly Running FromInput = new(TensorSourceKind.Input, null);
    public static Running From(TensorSource source) => new(source.Kind, source.Producer);
    public TensorSource Named(string name, Shape shape, TextSpan definedAt) => new(Kind, Producer, name, shape, definedAt);
}

/// <summary>A tensor name in scope: its symbol (definition, references, rename) and the tensor.</summary>
internal sealed record TensorBinding(Symbol Symbol, TensorSource Source);

/// <summary>
/// The tensor names of one body, in definition order, and the enclosing body's (null for a network's or a
/// block's body: a block sees only its parameters and `time`).
/// </summary>
internal sealed class TensorScope(TensorScope? parent, SyntaxNode body)
{
    public TensorScope? Parent { get; } = parent;
    public SyntaxNode Body { get; } = body;
    private List<TensorBinding>? _names;

    public void Add(TensorBinding binding) => (_names ??= []).Add(binding);

    public TensorBinding? Find(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._names is not { } names) continue;
            for (int i = 0; i < names.Count; i++) if (names[i].Symbol.Name == name) return names[i];
        }
        return null;
    }

    public IEnumerable<TensorBinding> Visible()
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._names is { } names) foreach (var n in names) yield return n;
    }
}

/// <summary>A named tensor passed as a value (a block argument: `Up(64, e1)`).</summary>
/// <param name="Word">the name as written where the value was given</param>
internal sealed record TensorValue(TensorSource Source, string Word, TextSpan S) : Value(S)
{
    public override string Describe() => $"the tensor {Word}";
}

/// <summary>Graphs: tensor names (`as`), merges (`concat`, `add`), residual shortcuts and tensors passed to blocks.</summary>
internal sealed partial class Checker
{
    /// <summary>The smallest image height reached so far in the network being checked: a U-Net's innermost level.</summary>
    private long _deepest = long.MaxValue;
    /// <summary>How many halvings (rounding down or up) took the network's image from its input size to <see cref="_deepest"/>.</summary>
    private int _halvingsToDeepest;

    /// <summary>A new smallest image height: counts the halvings from the previous smallest (0 for a shrink that is no halving).</summary>
    private void ReachedHeight(long height)
    {
        if (_deepest != long.MaxValue)
        {
            for (int k = 1; k < 62 && CeilHalved(_deepest, k) >= height; k++)
                if (_deepest >> k <= height) { _halvingsToDeepest += k; break; }
        }
        _deepest = height;
    }

    /// <summary>The names visible at the item being checked (null outside networks and blocks).</summary>
    private TensorScope? _scope;
    /// <summary>One symbol per `as NAME` written, although a block body is checked once per use.</summary>
    private readonly Dictionary<TensorNameSyntax, Symbol> _tensorSymbols = new(IdentityComparers.Instance);
    private readonly HashSet<Symbol> _usedTensors = new(IdentityComparers.Instance);
    private readonly HashSet<TensorNameSyntax> _usedBeforeDefinition = new(IdentityComparers.Instance);

    internal static bool IsMergeName(string name) => name is "concat" or "add";

    private static readonly ParameterInfo[] ResidualSignature = [new("shortcut", ParameterType.String, null, "the shortcut's layers")];

    // ── Names ────────────────────────────────────────────────────────────────────

    private void DeclareTensor(TensorNameSyntax syntax, Shape shape, Running running, Environment env)
    {
        var nameToken = syntax.Name;
        if (nameToken.IsMissing || _scope is null) return;
        string name = nameToken.Text;
        if (!_tensorSymbols.TryGetValue(syntax, out var symbol))
        {
            symbol = new Symbol(SymbolKind.Tensor, name, nameToken.Span, syntax, env.Block);
            _tensorSymbols[syntax] = symbol;
        }
        AddReference(symbol, nameToken.Span, true);
        if (name == "time")
        {
            _diagnostics.Add(TensorNamedTime(nameToken.Span));
            return;
        }
        if (_scope.Find(name) is { } earlier)
        {
            _diagnostics.Add(DuplicateTensorName(nameToken.Span, name, earlier.Source.DefinedAt, LineOf(earlier.Source.DefinedAt.Start)));
            _usedTensors.Add(symbol); // reported once, as the duplicate
            return;
        }
        if (env.Block is not null && _blockParameters.TryGetValue(env.Block, out var parameters) && parameters.TryGetValue(name, out var parameter))
        {
            _diagnostics.Add(TensorNamedAsParameter(nameToken.Span, name, env.Block.Name.Text, parameter.NameSpan));
            _usedTensors.Add(symbol);
            return;
        }
        _scope.Add(new TensorBinding(symbol, running.Named(name, shape, nameToken.Span)));
        if (running is { Kind: TensorSourceKind.Layer, Producer: { TensorName: null } producer }) producer.TensorName = name;
    }

    /// <summary>A name given as an argument value that names a tensor in scope (or `time`): a tensor passed to a block.</summary>
    private Value? TensorArgument(NameExpressionSyntax expression)
    {
        var name = expression.Name;
        if (_scope!.Find(name.Text) is { } binding)
        {
            AddReference(binding.Symbol, name.Span, false);
            _usedTensors.Add(binding.Symbol);
            return new TensorValue(binding.Source, name.Text, expression.Span);
        }
        if (name.Text != "time") return null;
        return TimeSource(name) is { } time ? new TensorValue(time, "time", expression.Span) : new ErrorValue(expression.Span);
    }

    /// <summary>The tensor a merge argument or chain starts at: a name in scope, a block parameter bound to a tensor, or `time`. Null after an error.</summary>
    private TensorSource? ResolveTensor(SyntaxToken name, Environment env)
    {
        if (name.IsMissing) return null;
        string text = name.Text;
        if (_scope?.Find(text) is { } binding)
        {
            AddReference(binding.Symbol, name.Span, false);
            _usedTensors.Add(binding.Symbol);
            return binding.Source;
        }
        if (env.Block is not null && _blockParameters.TryGetValue(env.Block, out var parameters) && parameters.TryGetValue(text, out var parameter))
        {
            AddReference(parameter, name.Span, false);
            env.TryGetValue(text, out var value);
            switch (value)
            {
                case TensorValue tensor: return tensor.Source;
                case ErrorValue or null:
                    // The block checked on its own (or an argument already reported): a tensor of unknown shape.
                    return new TensorSource(TensorSourceKind.Input, null, text, Shape.Unknown, parameter.NameSpan);
                default:
                    _diagnostics.Add(ValueWhereTensorExpected(name.Span, text, value.Describe(), value.Span));
                    return null;
            }
        }
        if (text == "time") return TimeSource(name);
        ReportUnknownTensor(name, env);
        return null;
    }

    private void ReportUnknownTensor(SyntaxToken name, Environment env)
    {
        string text = name.Text;
        // Defined later in this body or an enclosing one: names go backwards only.
        for (var scope = _scope; scope is not null; scope = scope.Parent)
        {
            var later = LaterDefinition(scope.Body, text, name.Span.Start);
            if (later is not null)
            {
                _usedBeforeDefinition.Add(later); // one error, not also "never used"
                _diagnostics.Add(TensorUsedBeforeDefinition(name.Span, text, later.Name.Span, LineOf(later.Name.Span.Start)));
                return;
            }
        }
        var visible = new Dictionary<string, TextSpan>();
        foreach (var b in _scope?.Visible() ?? []) visible.TryAdd(b.Symbol.Name, b.Source.DefinedAt);
        if (env.Block is not null && _blockParameters.TryGetValue(env.Block, out var ps))
            foreach (var (p, symbol) in ps) visible.TryAdd(p, symbol.NameSpan);
        if (_timeLength is not null) visible.TryAdd("time", default);
        string? kind = _blocks.ContainsKey(text) ? "block" : LayerCatalog.Find(text) is not null ? "layer"
            : _networkSyntax.ContainsKey(text) ? "network" : null;
        var near = NameMatcher.Nearest(text, visible.Keys);
        TextSpan? nearAt = near is not null && visible[near] is { Length: > 0 } at ? at : null;
        var scopeAt = env.Block?.Name.Span ?? _networkDecl?.Name.Span ?? name.Span;
        _diagnostics.Add(UnknownTensorName(name.Span, text, near, nearAt, kind, env.Block is not null, scopeAt));
    }

    /// <summary>An `as NAME` with this name written after <paramref name="position"/> in the body, outside nested blocks' bodies.</summary>
    private static TensorNameSyntax? LaterDefinition(SyntaxNode body, string name, int position)
    {
        foreach (var node in body.DescendantNodes())
            if (node is TensorNameSyntax t && t.Name.Text == name && t.Span.Start > position && !t.Name.IsMissing) return t;
        return null;
    }

    /// <summary>1-based line of a position, or 0 when the text is not known.</summary>
    private int LineOf(int position)
    {
        if (_text is null) return 0;
        int line = 1;
        for (int i = 0; i < position && i < _text.Length; i++) if (_text[i] == '\n') line++;
        return line;
    }

    private void ReportUnusedTensors()
    {
        foreach (var (syntax, symbol) in _tensorSymbols)
            if (!_usedTensors.Contains(symbol) && symbol.Name != "time" && !_usedBeforeDefinition.Contains(syntax))
            {
                var removal = syntax.AsWord.StartsLine ? TextSpan.FromBounds(syntax.AsWord.Span.Start, syntax.Name.Span.End) : syntax.FullSpan;
                _diagnostics.Add(UnusedTensorName(TextSpan.FromBounds(syntax.AsWord.Span.Start, syntax.Name.Span.End), symbol.Name, removal));
            }
    }

    // ── Residuals ────────────────────────────────────────────────────────────────

    private Shape CheckResidual(ResidualSyntax residual, Shape current, Running running, Environment env,
        TextSpan? useSite, bool record, List<LayerInstance> result)
    {
        var inner = CheckStack(residual.Body, current, running, env, useSite, record, isolated: false, out _);
        var innerOut = inner.Count == 0 ? current : inner[^1].Output;
        IReadOnlyList<LayerInstance> shortcut = [];
        Shape output;
        if (residual.Shortcut is { } clause)
        {
            if (!clause.Label.IsMissing && clause.Label.Text != "shortcut")
                _diagnostics.Add(UnknownArgument(clause.Label.Span, "residual", clause.Label.Text, NameMatcher.Nearest(clause.Label.Text, ["shortcut"]), ResidualSignature));
            var chain = new List<LayerInstance>();
            var shortcutOut = clause.Chain is { } c ? CheckItems(c.Layers, 0, current, running, env, useSite, record, chain) : Shape.Unknown;
            shortcut = chain;
            if (innerOut.IsKnown && shortcutOut.IsKnown && !innerOut.Equals(shortcutOut))
            {
                _diagnostics.Add(ShortcutShapeMismatch(residual.Keyword.Span, innerOut, shortcutOut,
                    inner.Count > 0 ? inner[^1].Span : residual.Body.Span, chain.Count > 0 ? chain[^1].Span : clause.Span));
            }
            output = innerOut.IsKnown && shortcutOut.IsKnown && innerOut.Equals(shortcutOut) && chain.All(l => l.Output.IsKnown) ? innerOut : Shape.Unknown;
            if (output.IsKnown && chain.Count > 0) WarnOnStack(chain);
        }
        else
        {
            if (current.IsKnown && innerOut.IsKnown && !current.Equals(innerOut))
                _diagnostics.Add(ResidualShapeChange(residual.Keyword.Span, current, innerOut, inner.Count > 0 ? inner[^1].Span : null));
            output = current.IsKnown && innerOut.IsKnown && current.Equals(innerOut) ? current : Shape.Unknown;
        }
        var instance = new LayerInstance
        {
            Kind = "residual", Input = current, Output = output, Arguments = ArgumentValues.Empty,
            Parameters = Counts.Add(Counts.Sum(inner, l => l.Parameters), Counts.Sum(shortcut, l => l.Parameters)),
            MultiplyAdds = Counts.Add(Counts.Sum(inner, l => l.MultiplyAdds), Counts.Sum(shortcut, l => l.MultiplyAdds)),
            Span = residual.Keyword.Span, UseSite = useSite, Body = inner, Shortcut = shortcut,
        };
        result.Add(instance);
        if (record) Record(residual, new LayerFacts(residual, null, null, current, output, instance.Parameters, instance.MultiplyAdds, instance.Arguments));
        if (output.IsKnown && inner.All(l => l.Output.IsKnown)) WarnOnStack(inner);
        return output;
    }

    // ── Merges ───────────────────────────────────────────────────────────────────

    private Shape CheckMerge(MergeSyntax merge, Shape current, Running running, Environment env,
        TextSpan? useSite, bool record, List<LayerInstance> result)
    {
        string kind = merge.Name.Text;
        var branches = new List<MergeBranch>(merge.Arguments.Count);
        var shapes = new List<Shape>(merge.Arguments.Count);
        bool ok = true;
        foreach (var argument in merge.Arguments)
        {
            var source = ResolveTensor(argument.Source, env);
            List<LayerInstance>? chain = null;
            Shape shape;
            if (argument.Chain is { } c)
            {
                chain = new List<LayerInstance>(c.Layers.Count);
                var from = source is null ? Running.FromInput : Running.From(source);
                shape = CheckItems(c.Layers, 0, source?.Shape ?? Shape.Unknown, from, env, useSite, record, chain);
                if (shape.IsKnown && chain.All(l => l.Output.IsKnown)) WarnOnStack(chain);
            }
            else shape = source?.Shape ?? Shape.Unknown;
            if (source is null || !shape.IsKnown || chain is not null && chain.Any(l => !l.Output.IsKnown)) { ok = false; continue; }
            branches.Add(new MergeBranch(source, (IReadOnlyList<LayerInstance>?)chain ?? [], argument.Span));
            shapes.Add(shape);
        }
        if (merge.Arguments.Count == 0 && !merge.OpenParen.IsMissing)
        {
            _diagnostics.Add(MergeWithoutTensors(merge.Span, kind));
            ok = false;
        }
        var output = ok && current.IsKnown ? MergeShape(merge, kind, current, branches, shapes) : Shape.Unknown;
        var instance = new LayerInstance
        {
            Kind = kind, Input = current, Output = output, Arguments = ArgumentValues.Empty,
            Parameters = Counts.Sum(branches, b => Counts.Sum(b.Chain, l => l.Parameters)),
            MultiplyAdds = Counts.Sum(branches, b => Counts.Sum(b.Chain, l => l.MultiplyAdds)),
            Span = merge.Span, UseSite = useSite, Branches = branches,
        };
        result.Add(instance);
        if (record)
            Record(merge, new LayerFacts(merge, null, null, current, output, instance.Parameters, instance.MultiplyAdds, instance.Arguments) { MergeInputs = shapes });
        return output;
    }

    /// <summary>concat: channels (or vector lengths) add up, the rest equal; add: equal shapes, or a C vector onto C×H×W.</summary>
    private Shape MergeShape(MergeSyntax merge, string kind, Shape current, List<MergeBranch> branches, List<Shape> shapes)
    {
        if (kind == "concat")
        {
            long channels = current[0];
            for (int i = 0; i < branches.Count; i++)
            {
                var other = shapes[i];
                bool fits = other.Rank == current.Rank;
                for (int d = 1; fits && d < current.Rank; d++) fits = other[d] == current[d];
                if (!fits)
                {
                    _diagnostics.Add(ConcatMismatch(branches[i].Span, current, branches[i].Source.Name, other, branches[i].Source.DefinedAt, HalvingAdvice(current, other)));
                    return Shape.Unknown;
                }
                channels = Counts.Add(channels, other[0]);
            }
            return current.WithChannels(channels);
        }
        var output = current;
        for (int i = 0; i < branches.Count; i++)
        {
            var other = shapes[i];
            if (other.Equals(output)) continue;
            if (other.Rank == 1 && output.Rank > 1 && other[0] == output[0]) continue; // a per-channel vector onto every pixel
            if (output.Rank == 1 && other.Rank > 1 && other[0] == output[0]) { output = other; continue; }
            _diagnostics.Add(AddMismatch(branches[i].Span, output, branches[i].Source.Name, other, branches[i].Source.DefinedAt));
            return Shape.Unknown;
        }
        return output;
    }

    /// <summary>
    /// When two images of a U-Net disagree because the network's input does not halve evenly down to the deepest
    /// level (28 → 14 → 7 → 3, then back up to 6 beside 7), the input size that does and the pad that reaches it.
    /// </summary>
    private HalvingAdvice? HalvingAdvice(Shape here, Shape other)
    {
        if (_networkDecl is not { } decl || _networkInput is not { IsImage: true } input || here.Rank != 3 || other.Rank != 3) return null;
        if (input[1] != input[2]) return null;
        long size = input[1];
        long deepest = _deepest;
        if (deepest <= 0 || deepest >= size) return null;
        // Each level of a U-Net is twice the next one only when every level above the innermost is even: the input
        // must be a multiple of 2^halvings, which then halves exactly, whether a layer rounds down or up.
        int halvings = _halvingsToDeepest;
        if (halvings == 0) return null;
        long step = 1L << halvings;
        if (size % step == 0) return null;
        long target = (size + step - 1) / step * step;
        // `pad(p)` adds p rows on each side: an odd size cannot reach the even target, so it gets the size alone
        if ((target - size) % 2 != 0) return new HalvingAdvice(size, halvings, target, null, null);
        var inputItem = decl.Body.Layers.Count > 0 && decl.Body.Layers[0] is LayerSyntax { Name.Text: "input" } first ? first : null;
        return new HalvingAdvice(size, halvings, target, (int)((target - size) / 2), inputItem is null ? null : inputItem.Arguments?.Span.End ?? inputItem.Name.Span.End);
    }

    private static long CeilHalved(long size, int halvings) => (size + (1L << halvings) - 1) >> halvings;
}

/// <summary>The fix for a U-Net whose input does not halve evenly: pad it to <see cref="Target"/> right after `input(…)`.</summary>
/// <param name="Pad">the `pad(p)` that reaches the target, or null for an odd size (pad adds rows in pairs)</param>
/// <param name="InsertAt">where ` -> pad(p)` goes: the end of the input item, or null</param>
public sealed record HalvingAdvice(long Size, int Halvings, long Target, int? Pad, int? InsertAt);
