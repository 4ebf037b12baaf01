using Annlsp.Language.Diagnostics;
using Annlsp.Language.LayerKinds;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>
/// Binds names and arguments and infers the shape after every layer. The one place shapes are computed:
/// the trainer and the editor read the results, never recompute them.
/// </summary>
internal sealed partial class Checker
{
    private const long LargeModelThreshold = 100_000_000;
    private const int MaxBlockDepth = 64;
    /// <summary>Far above any real network; stops blocks that double each other from expanding to 2^30 layers.</summary>
    internal const int MaxExpandedLayers = 100_000;
    private int _layerBudget = MaxExpandedLayers;

    private readonly CompilationUnitSyntax _root;
    private readonly DiagnosticBag _diagnostics;
    private readonly CancellationToken _cancellation;
    /// <summary>The document's text, for the line numbers some messages name (null: lines are not named).</summary>
    private readonly string? _text;

    private readonly Dictionary<string, Symbol> _declarations = new();
    private readonly Dictionary<string, NetworkDeclarationSyntax> _networkSyntax = new();
    private readonly Dictionary<string, BlockDeclarationSyntax> _blocks = new();
    private readonly Dictionary<string, GanDeclarationSyntax> _ganSyntax = new();
    private readonly Dictionary<BlockDeclarationSyntax, Dictionary<string, Symbol>> _blockParameters = new();
    /// <summary>Each block's parameters as a signature (distinct names, in order) for argument binding.</summary>
    private readonly Dictionary<BlockDeclarationSyntax, ParameterInfo[]> _blockSignatures = new();
    /// <summary>The blocks being expanded, outermost first (recursion check, messages).</summary>
    private readonly List<BlockDeclarationSyntax> _blockChain = new();
    private readonly HashSet<BlockDeclarationSyntax> _usedBlocks = new();
    private readonly HashSet<string> _usedNetworks = new();

    public readonly List<SymbolReference> References = new();
    private readonly HashSet<(Symbol, TextSpan)> _referenceSpans = new(IdentityComparers.Instance);

    /// <summary>Records a name occurrence once, although block bodies are checked once per use.</summary>
    private void AddReference(Symbol symbol, TextSpan span, bool isDeclaration)
    {
        // Only names inside block bodies can repeat (a body is checked once per use); the set stays small.
        if (_blockChain.Count == 0 || _referenceSpans.Add((symbol, span))) References.Add(new SymbolReference(symbol, span, isDeclaration));
    }
    public readonly Dictionary<string, NetworkModel> Networks = new();
    public readonly Dictionary<string, GanModel> Gans = new();
    public readonly List<TrainConfig> Trains = new();

    public Checker(CompilationUnitSyntax root, DiagnosticBag diagnostics, CancellationToken cancellation, string? text = null)
    {
        _root = root;
        _text = text;
        _diagnostics = diagnostics;
        _cancellation = cancellation;
    }

    public void Run()
    {
        DeclareAll();
        PrescanDiffusions();
        foreach (var decl in _root.Declarations.OfType<NetworkDeclarationSyntax>())
        {
            _cancellation.ThrowIfCancellationRequested();
            if (_networkSyntax.GetValueOrDefault(decl.Name.Text) == decl) Networks[decl.Name.Text] = CheckNetwork(decl);
            else CheckNetwork(decl);
        }
        foreach (var decl in _root.Declarations.OfType<GanDeclarationSyntax>())
        {
            var gan = CheckGan(decl);
            if (_ganSyntax.GetValueOrDefault(decl.Name.Text) == decl) Gans[decl.Name.Text] = gan;
        }
        CheckDiffusions();
        CheckTrains();
        foreach (var block in _blockParameters.Keys.Where(b => !_usedBlocks.Contains(b)).ToList())
        {
            // Checked once on its own, so argument mistakes show even before the block is used.
            _layerBudget = MaxExpandedLayers;
            var signature = _blockSignatures[block];
            var env = new Environment(block, signature, signature.Select(_ => (Value?)new ErrorValue(default)).ToArray());
            _blockChain.Add(block);
            BeginStandaloneBlock();
            CheckStack(block.Body, Shape.Unknown, Running.FromInput, env, useSite: null, record: true, isolated: true, out _);
            _blockChain.Clear();
            if (!block.Name.IsMissing && LayerCatalog.Find(block.Name.Text) is null) // a shadowing block already has ANN2003
                _diagnostics.Add(UnusedBlock(block.Name.Span, block.Name.Text));
        }
        foreach (var (name, decl) in _networkSyntax)
        {
            if (!_usedNetworks.Contains(name) && !decl.Name.IsMissing)
                _diagnostics.Add(UnusedNetwork(decl.Name.Span, name));
        }
        ReportUnusedTensors();
    }

    // ── Declarations ─────────────────────────────────────────────────────────────

    private void DeclareAll()
    {
        foreach (var decl in _root.Declarations)
        {
            if (decl is TrainDeclarationSyntax || decl.Name.IsMissing) continue;
            var kind = decl switch
            {
                NetworkDeclarationSyntax => SymbolKind.Network,
                BlockDeclarationSyntax => SymbolKind.Block,
                DiffusionDeclarationSyntax => SymbolKind.Diffusion,
                _ => SymbolKind.Gan,
            };
            string name = decl.Name.Text;
            var symbol = new Symbol(kind, name, decl.Name.Span, decl);
            AddReference(symbol, decl.Name.Span, true);
            if ((LayerCatalog.Find(name) is not null || IsMergeName(name)) && kind == SymbolKind.Block)
            {
                // The built-in keeps its meaning; the block is checked on its own but never used.
                _diagnostics.Add(BlockNamedAsLayer(decl.Name.Span, name));
                _blockParameters[(BlockDeclarationSyntax)decl] = DeclareParameters((BlockDeclarationSyntax)decl);
                continue;
            }
            if (_declarations.TryGetValue(name, out var first))
            {
                _diagnostics.Add(AlreadyDeclared(decl.Name.Span, name, first.Kind.ToString().ToLowerInvariant(), first.NameSpan));
                if (decl is BlockDeclarationSyntax dupBlock) _blockParameters[dupBlock] = DeclareParameters(dupBlock);
                continue;
            }
            _declarations[name] = symbol;
            switch (decl)
            {
                case NetworkDeclarationSyntax n: _networkSyntax[name] = n; break;
                case BlockDeclarationSyntax b: _blocks[name] = b; _blockParameters[b] = DeclareParameters(b); break;
                case GanDeclarationSyntax g: _ganSyntax[name] = g; break;
                case DiffusionDeclarationSyntax f: _diffusionSyntax[name] = f; break;
            }
        }
    }

    private Dictionary<string, Symbol> DeclareParameters(BlockDeclarationSyntax block)
    {
        var result = new Dictionary<string, Symbol>();
        foreach (var p in block.Parameters?.Parameters ?? [])
        {
            var symbol = new Symbol(SymbolKind.Parameter, p.Text, p.Span, block, block);
            AddReference(symbol, p.Span, true);
            if (!result.TryAdd(p.Text, symbol))
                _diagnostics.Add(DuplicateParameter(p.Span, p.Text, block.Name.Text, result[p.Text].NameSpan));
        }
        _blockSignatures[block] = result.Keys.Select(name => new ParameterInfo(name, ParameterType.String, null, "block parameter")).ToArray();
        return result;
    }

    // ── Networks and stacks ──────────────────────────────────────────────────────

    private NetworkModel CheckNetwork(NetworkDeclarationSyntax decl)
    {
        int errorsBefore = _diagnostics.ErrorCount;
        _layerBudget = MaxExpandedLayers;
        var items = decl.Body.Layers;
        Shape input = Shape.Unknown;
        StackBodySyntax body = decl.Body;
        int skip = 0;
        BeginNetwork(decl);
        var outer = _scope;
        _scope = new TensorScope(null, body);
        if (items.Count > 0 && items[0] is LayerSyntax first && first.Name.Text == "input")
        {
            var args = BindArguments(first.Arguments, LayerCatalog.Find("input")!.Parameters, "input", first.Name.Span, Environment.Empty);
            if (args?.GetValueOrDefault("shape") is Shape s)
            {
                if (s.Rank is >= 1 and <= 3 && s.ElementCount <= int.MaxValue * 16L) input = s;
                else if (s.Rank is >= 1 and <= 3)
                    _diagnostics.Add(InputTooLarge(first.Arguments!.Arguments.First().Value.Span, s));
                else _diagnostics.Add(WrongShapeRank(first.Arguments!.Arguments.First().Value.Span, "input", s));
            }
            Record(first, new LayerFacts(first, LayerCatalog.Find("input"), null, Shape.Unknown, input, 0, 0, (IReadOnlyDictionary<string, object>?)args ?? ArgumentValues.Empty));
            if (first.TensorName is { } inputName) DeclareTensor(inputName, input, Running.FromInput, Environment.Empty);
            skip = 1;
        }
        else
        {
            var at = items.Count > 0 ? items[0].Span : decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span;
            _diagnostics.Add(MissingInput(at, decl.Name.Text));
        }
        _networkInput = input;
        var layers = new List<LayerInstance>(items.Count);
        try { CheckItems(items, skip, input, Running.FromInput, Environment.Empty, useSite: null, record: true, layers); }
        finally { _scope = outer; }
        var model = new NetworkModel
        {
            Name = decl.Name.Text,
            Input = input,
            Layers = layers,
            Syntax = decl,
            TimeEmbedding = _timeLength,
            IsValid = input.IsKnown && layers.All(l => l.Output.IsKnown) && _diagnostics.ErrorCount == errorsBefore,
        };
        if (model.Parameters == long.MaxValue || model.MultiplyAdds == long.MaxValue)
        {
            // Every layer fits, but their sum does not (counts saturate at long.MaxValue).
            _diagnostics.Add(NetworkCountOverflow(decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, model.Name, model.Parameters == long.MaxValue));
            model = new NetworkModel { Name = model.Name, Input = input, Layers = layers, Syntax = decl, TimeEmbedding = _timeLength, IsValid = false };
        }
        if (model.IsValid) WarnOnStack(layers); // style warnings on a broken network are noise
        if (model.Parameters > LargeModelThreshold && model.Parameters != long.MaxValue)
            _diagnostics.Add(LargeModel(decl.Name.Span, model.Name, model.Parameters));
        return model;
    }

    /// <summary>
    /// Notes what is known about an item: a <see cref="LayerFacts"/>, or for a built-in layer its
    /// <see cref="LayerInstance"/>, which holds the same facts (made into LayerFacts only when the editor
    /// asks, see <see cref="FactsOf"/>). Nearly every item has one use; a block body layer has one entry
    /// per distinct shape it is used with.
    /// </summary>
    private static void Record(StackItemSyntax syntax, object entry)
    {
        switch (syntax.Facts)
        {
            case null:
                syntax.Facts = entry;
                return;
            case object[] several:
                foreach (var f in several) if (SameUse(f, entry)) return;
                syntax.Facts = (object[])[.. several, entry];
                return;
            case var one:
                if (!SameUse(one, entry)) syntax.Facts = new[] { one, entry };
                return;
        }

        static bool SameUse(object a, object b) => InputOf(a).Equals(InputOf(b)) && OutputOf(a).Equals(OutputOf(b));
        static Shape InputOf(object e) => e is LayerFacts f ? f.Input : ((LayerInstance)e).Input;
        static Shape OutputOf(object e) => e is LayerFacts f ? f.Output : ((LayerInstance)e).Output;
    }

    /// <summary>The facts recorded for an item, one per distinct use.</summary>
    internal static IReadOnlyList<LayerFacts> FactsOf(StackItemSyntax syntax)
    {
        return syntax.Facts switch
        {
            null => [],
            object[] several => Array.ConvertAll(several, e => ToFacts(syntax, e)),
            var one => [ToFacts(syntax, one)],
        };

        static LayerFacts ToFacts(StackItemSyntax syntax, object entry) => entry is LayerInstance l
            ? new LayerFacts(syntax, l.Info, null, l.Input, l.Output, l.Parameters, l.MultiplyAdds, l.Arguments)
            : (LayerFacts)entry;
    }

    /// <summary>
    /// Checks a body from an input shape in a scope of its own (<paramref name="isolated"/>: one that sees no
    /// enclosing names, a block's); returns the flat list of layers (blocks expanded).
    /// </summary>
    private List<LayerInstance> CheckStack(StackBodySyntax body, Shape input, Running from, Environment env,
        TextSpan? useSite, bool record, bool isolated, out Shape output)
    {
        var result = new List<LayerInstance>(body.Layers.Count);
        output = CheckStackInto(body, input, from, env, useSite, record, isolated, result);
        return result;
    }

    /// <summary>As <see cref="CheckStack"/>, appending the layers to <paramref name="result"/>; returns the last shape.</summary>
    private Shape CheckStackInto(StackBodySyntax body, Shape input, Running from, Environment env,
        TextSpan? useSite, bool record, bool isolated, List<LayerInstance> result)
    {
        var outer = _scope;
        // Most bodies name nothing: they share the enclosing scope (a block's, none) rather than make one.
        _scope = DeclaresNames(body) ? new TensorScope(isolated ? null : outer, body) : isolated ? null : outer;
        try { return CheckItems(body.Layers, 0, input, from, env, useSite, record, result); }
        finally { _scope = outer; }
    }

    /// <summary>Whether an item of the body is followed by `as NAME` (kept on the node: block bodies are checked once per use).</summary>
    private static bool DeclaresNames(StackBodySyntax body)
    {
        if (body.DeclaresNames is bool known) return known;
        bool any = false;
        foreach (var item in body.Layers) any |= item.TensorName is not null;
        body.DeclaresNames = any;
        return any;
    }

    /// <summary>Checks items in order from the running tensor, appending their layers to <paramref name="result"/>; returns the last shape.</summary>
    private Shape CheckItems(IReadOnlyList<StackItemSyntax> items, int skipItems, Shape input, Running running, Environment env,
        TextSpan? useSite, bool record, List<LayerInstance> result)
    {
        var current = input;
        for (int index = skipItems; index < items.Count; index++)
        {
            if ((index & 255) == 255) _cancellation.ThrowIfCancellationRequested();
            var item = items[index];
            int before = result.Count;
            switch (item)
            {
                case LayerSyntax layer:
                    current = CheckLayer(layer, current, running, env, useSite, record, result);
                    break;
                case ResidualSyntax residual:
                    current = CheckResidual(residual, current, running, env, useSite, record, result);
                    break;
                case MergeSyntax merge:
                    current = CheckMerge(merge, current, running, env, useSite, record, result);
                    break;
            }
            if (result.Count > before) running = new Running(TensorSourceKind.Layer, result[^1]);
            if (current.IsImage && current[1] < _deepest) ReachedHeight(current[1]);
            if (item.TensorName is { } tensorName) DeclareTensor(tensorName, current, running, env);
        }
        return current;
    }

    private Shape CheckLayer(LayerSyntax layer, Shape input, Running running, Environment env,
        TextSpan? useSite, bool record, List<LayerInstance> output)
    {
        string name = layer.Name.Text;
        if (name == "input")
        {
            _diagnostics.Add(MisplacedInput(layer.Name.Span, inBlock: env.Block is not null));
            return input;
        }
        if (_blocks.TryGetValue(name, out var block))
            return ExpandBlock(layer, block, input, running, env, useSite, record, output);

        var info = LayerCatalog.Find(name);
        if (_layerBudget > 0) _layerBudget--;
        if (info is null)
        {
            ReportUnknownLayer(layer, env);
            return Shape.Unknown;
        }
        var args = BindArguments(layer.Arguments, info.Parameters, name, layer.Name.Span, env);
        if (args is null)
        {
            if (record) Record(layer, new LayerFacts(layer, info, null, input, Shape.Unknown, 0, 0, ArgumentValues.Empty));
            return Shape.Unknown;
        }
        var inferred = Infer(info, args, input, layer);
        if (inferred.Parameters == long.MaxValue || inferred.MultiplyAdds == long.MaxValue)
        {
            // Counts saturate at long.MaxValue: a count there no longer fits in 64 bits.
            _diagnostics.Add(LayerCountOverflow(layer.Name.Span, name, inferred.Parameters == long.MaxValue));
            inferred = ShapeResult.Unknown;
        }
        var instance = new LayerInstance
        {
            Kind = name, Info = info, Input = input, Output = inferred.Output, Arguments = args,
            Parameters = inferred.Parameters, MultiplyAdds = inferred.MultiplyAdds,
            Span = layer.Span, UseSite = useSite,
        };
        output.Add(instance);
        if (record) Record(layer, instance);
        return inferred.Output;
    }

    private void ReportUnknownLayer(LayerSyntax layer, Environment env)
    {
        string name = layer.Name.Text;
        // A tensor name where a layer goes (`time -> dense(64)`, `e1 -> conv(…)`): say how tensors enter a stack.
        bool isTensor = name == "time" || _scope?.Find(name) is not null
            || env.Block is not null && env.TryGetValue(name, out var value) && value is TensorValue;
        if (isTensor)
        {
            _diagnostics.Add(TensorWhereLayerExpected(layer.Name.Span, name));
            return;
        }
        var candidates = LayerCatalog.All.Select(l => l.Name).Where(n => n != "input").Concat(_blocks.Keys);
        var near = NameMatcher.Nearest(name, candidates);
        string? otherKind = _networkSyntax.ContainsKey(name) ? "network" : _ganSyntax.ContainsKey(name) ? "gan" : _diffusionSyntax.ContainsKey(name) ? "diffusion" : null;
        _diagnostics.Add(UnknownLayer(layer.Name.Span, name, near, otherKind));
    }

    private Shape ExpandBlock(LayerSyntax layer, BlockDeclarationSyntax block, Shape input, Running running, Environment env,
        TextSpan? useSite, bool record, List<LayerInstance> output)
    {
        _usedBlocks.Add(block);
        var blockSymbol = _declarations[block.Name.Text];
        AddReference(blockSymbol, layer.Name.Span, false);
        if (_layerBudget <= 0)
        {
            if (_layerBudget == 0)
                _diagnostics.Add(ExpandsTooFar(useSite ?? layer.Name.Span, MaxExpandedLayers, block.Name.Text));
            _layerBudget = -1;
            return Shape.Unknown;
        }
        if (_blockChain.Contains(block) || _blockChain.Count >= MaxBlockDepth)
        {
            _diagnostics.Add(_blockChain.Contains(block)
                ? BlockUsesItself(layer.Name.Span, block.Name.Text, _blockChain.SkipWhile(b => b != block).Select(b => b.Name.Text).Append(block.Name.Text), block.Name.Span)
                : BlocksNestedTooDeep(layer.Name.Span, block.Name.Text, MaxBlockDepth, block.Name.Span));
            return Shape.Unknown;
        }
        var signature = _blockSignatures[block];
        var bound = BindRaw(layer.Arguments, signature, block.Name.Text, layer.Name.Span, env);
        // `B(filters: 8)`: the label names B's parameter (go to definition, references, rename).
        foreach (var arg in layer.Arguments?.Arguments ?? [])
            if (arg.Name is not null && _blockParameters[block].TryGetValue(arg.Name.Text, out var parameter))
                AddReference(parameter, arg.Name.Span, false);
        if (bound is null) return Shape.Unknown;
        var newEnv = new Environment(block, signature, bound);
        _blockChain.Add(block);
        // The body's layers go straight into the caller's list (the block is flat there): no list of its own to copy.
        int first = output.Count;
        try { CheckStackInto(block.Body, input, running, newEnv, useSite ?? layer.Name.Span, record, isolated: true, output); }
        finally { _blockChain.RemoveAt(_blockChain.Count - 1); }
        var result = output.Count == first ? input : output[^1].Output;
        if (record)
        {
            long parameters = 0, multiplyAdds = 0;
            for (int i = first; i < output.Count; i++)
            {
                parameters = Counts.Add(parameters, output[i].Parameters);
                multiplyAdds = Counts.Add(multiplyAdds, output[i].MultiplyAdds);
            }
            var args = ArgumentValues.Described(signature, bound);
            Record(layer, new LayerFacts(layer, null, block, input, result, parameters, multiplyAdds, args));
        }
        return result;
    }

    private void WarnOnStack(List<LayerInstance> layers)
    {
        for (int i = 1; i < layers.Count; i++)
        {
            var prev = layers[i - 1];
            var cur = layers[i];
            var prevInfo = prev.Info;
            var curInfo = cur.Info;
            if (prevInfo?.IsActivation == true && curInfo?.IsActivation == true)
                _diagnostics.Add(DoubleActivation(cur.Span, cur.Kind, prev.Kind));
            if (cur.Kind == "dense")
            {
                // Look back over layers that are linear (dropout, normalisation) to the previous dense.
                int j = i - 1;
                while (j >= 0 && layers[j].Info?.Category is LayerCategory.Regularization or LayerCategory.Normalization) j--;
                if (j >= 0 && layers[j].Kind == "dense")
                    _diagnostics.Add(DenseWithoutActivation(cur.Span));
            }
        }
    }
}
