using System.Text;
using System.Text.Json.Nodes;

namespace Annlsp.Language.Tests.Differential;

/// <summary>
/// A generated graph network: its .ann text and, for torch_shapes.py, the same computation as a program of
/// operations in the checker's graph order (each layer, then each merge or residual join once its inputs
/// are computed), each reading and writing named tensors.
/// </summary>
internal sealed record GeneratedGraph(int Index, string Name, string Text, int[] Input, JsonArray Program, IReadOnlySet<string> Forms);

/// <summary>
/// Random valid image networks that use the graph syntax: `as NAME`, concat and add of names and of chains
/// that start at a name, residual with and without a projection shortcut, blocks with tensor arguments and
/// names of their own, grouped convolutions. It tracks every shape itself so that what it writes is valid,
/// and writes the program PyTorch runs beside the text. Deterministic for a seed (used by the differential
/// test in Annlsp.Language.Tests and, linked, by the export test in Annlsp.Training.Tests).
/// </summary>
internal sealed class GraphGenerator(int seed)
{
    private readonly Random _rng = new(seed);
    private Random R => _rng;
    private StringBuilder _blocks = new();
    private HashSet<string> _blocksUsed = new();
    private HashSet<string> _forms = new();
    private JsonArray _program = new();
    private int _vars;
    private int _names;

    private sealed record Tensor(string Var, int C, int H, int W)
    {
        public bool SameSize(Tensor o) => H == o.H && W == o.W;
        public bool SameShape(Tensor o) => C == o.C && SameSize(o);
    }

    /// <summary>A name in scope: its text name and the tensor it holds.</summary>
    private sealed record Named(string Name, Tensor Tensor);

    public static readonly string[] RequiredForms =
    [
        "as", "concat.name", "concat.chain", "concat.many", "add.name", "add.chain", "residual", "residual.shortcut",
        "residual.name-inside", "block.tensor-arg", "block.own-name", "conv.groups", "head",
    ];

    public GeneratedGraph Generate(int index)
    {
        _blocks = new StringBuilder();
        _blocksUsed = new HashSet<string>();
        _forms = new HashSet<string>();
        _program = new JsonArray();
        _vars = 0;
        _names = 0;
        int c = R.Next(3) == 0 ? 3 : R.Next(1, 9), h = R.Next(8, 33), w = R.Next(8, 33);
        var x = new Tensor(NewVar(), c, h, w);
        var name = $"Graph{index}";
        var body = new StringBuilder();
        var scope = new List<Named>();
        int items = R.Next(4, 10);
        for (int i = 0; i < items; i++) x = Item(body, "    ", x, scope, depth: 0, allowNames: true);
        if (R.Next(3) == 0)
        {
            _forms.Add("head");
            int units = R.Next(2, 11);
            body.Append("    globalpool -> dense(").Append(units).Append(")\n");
            var pooled = new Tensor(NewVar(), x.C, 1, 1);
            Layer(x, pooled, new JsonObject { ["kind"] = "globalpool", ["pool"] = "avg" });
            Layer(pooled, new Tensor(NewVar(), units, 1, 1), new JsonObject { ["kind"] = "dense", ["units"] = units, ["bias"] = true });
        }
        var text = $"{_blocks}network {name} {{\n    input({c}x{h}x{w})\n{body}}}\n";
        return new GeneratedGraph(index, name, text, [c, h, w], _program, _forms);
    }

    private string NewVar() => $"v{_vars++}";
    private string NewName() => $"t{_names++}";

    /// <summary>One line of a body: a chain of layers (maybe named), a merge, a residual or a block use.</summary>
    private Tensor Item(StringBuilder sb, string indent, Tensor x, List<Named> scope, int depth, bool allowNames)
    {
        int roll = R.Next(100);
        Tensor y;
        string line;
        if (roll < 30) (line, y) = Chain(x, R.Next(1, 4));
        else if (roll < 48 && TryConcat(x, scope, out var concat)) (line, y) = concat;
        else if (roll < 62 && TryAdd(x, scope, out var add)) (line, y) = add;
        else if (roll < 80 && depth < 2) return Residual(sb, indent, x, scope, depth, keepShape: false);
        else if (roll < 92 && TryBlock(x, scope, out var block)) (line, y) = block;
        else (line, y) = Chain(x, R.Next(1, 3));
        sb.Append(indent).Append(line);
        if (allowNames && R.Next(100) < 45)
        {
            var n = NewName();
            _forms.Add("as");
            if (depth > 0) _forms.Add("residual.name-inside");
            sb.Append(" as ").Append(n);
            scope.Add(new Named(n, y));
        }
        sb.Append('\n');
        return y;
    }

    /// <summary>`a -> b -> c`: layers that change the shape a little (never below 2×2).</summary>
    private (string, Tensor) Chain(Tensor x, int count)
    {
        var parts = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var (text, y) = OneLayer(x);
            parts.Add(text);
            x = y;
        }
        return (string.Join(" -> ", parts), x);
    }

    private (string, Tensor) OneLayer(Tensor x)
    {
        switch (R.Next(10))
        {
            case 0 or 1 or 2:
            {
                int filters = R.Next(1, 5) * (R.Next(2) == 0 ? 2 : 3);
                int kernel = R.Next(2) == 0 ? 1 : 3;
                int stride = x.H >= 6 && x.W >= 6 && R.Next(4) == 0 ? 2 : 1;
                int padding = kernel / 2;
                int groups = 1;
                if (R.Next(4) == 0)
                {
                    var common = Enumerable.Range(2, 5).Where(g => x.C % g == 0 && filters % g == 0).ToList();
                    if (common.Count > 0) { groups = common[R.Next(common.Count)]; _forms.Add("conv.groups"); }
                }
                bool bias = R.Next(3) != 0;
                var y = new Tensor(NewVar(), filters, (x.H + 2 * padding - kernel) / stride + 1, (x.W + 2 * padding - kernel) / stride + 1);
                Layer(x, y, Conv(filters, kernel, stride, padding, groups, bias));
                var text = new StringBuilder($"conv({filters}, kernel: {kernel}");
                if (stride != 1) text.Append($", stride: {stride}");
                if (padding != 0) text.Append($", padding: {padding}");
                if (groups != 1) text.Append($", groups: {groups}");
                if (!bias) text.Append(", bias: false");
                return (text.Append(')').ToString(), y);
            }
            case 3:
                return Same(x, "batchnorm", new JsonObject { ["kind"] = "batchnorm", ["eps"] = 1e-5, ["momentum"] = 0.1 });
            case 4:
            {
                var groups = Enumerable.Range(1, 4).Where(g => x.C % g == 0).ToList();
                int g = groups[R.Next(groups.Count)];
                return Same(x, $"groupnorm({g})", new JsonObject { ["kind"] = "groupnorm", ["groups"] = g, ["eps"] = 1e-5 });
            }
            case 5:
                if (x.H >= 4 && x.W >= 4)
                {
                    var kind = R.Next(2) == 0 ? "max" : "avg";
                    var y = new Tensor(NewVar(), x.C, x.H / 2, x.W / 2);
                    Layer(x, y, new JsonObject { ["kind"] = "pool", ["pool"] = kind, ["size"] = Pair(2), ["stride"] = Pair(2), ["padding"] = Pair(0) });
                    return ($"pool({kind}, 2)", y);
                }
                goto default;
            case 6:
                if (x.H <= 16 && x.W <= 16)
                {
                    var y = new Tensor(NewVar(), x.C, x.H * 2, x.W * 2);
                    Layer(x, y, new JsonObject { ["kind"] = "upsample", ["scale"] = Pair(2), ["mode"] = "nearest" });
                    return ("upsample(2)", y);
                }
                goto default;
            case 7:
                if (x.H <= 16 && x.W <= 16)
                {
                    int filters = R.Next(1, 9);
                    var y = new Tensor(NewVar(), filters, x.H * 2, x.W * 2);
                    Layer(x, y, new JsonObject
                    {
                        ["kind"] = "deconv", ["filters"] = filters, ["kernel"] = Pair(4), ["stride"] = Pair(2), ["padding"] = Pair(1),
                        ["output_padding"] = Pair(0), ["dilation"] = Pair(1), ["bias"] = true,
                    });
                    return ($"deconv({filters}, kernel: 4, stride: 2, padding: 1)", y);
                }
                goto default;
            default:
            {
                var kind = new[] { "relu", "silu", "gelu", "tanh" }[R.Next(4)];
                return Same(x, kind, new JsonObject { ["kind"] = kind });
            }
        }
    }

    private (string, Tensor) Same(Tensor x, string text, JsonObject spec)
    {
        var y = x with { Var = NewVar() };
        Layer(x, y, spec);
        return (text, y);
    }

    private static JsonObject Conv(int filters, int kernel, int stride, int padding, int groups, bool bias) => new()
    {
        ["kind"] = "conv", ["filters"] = filters, ["kernel"] = Pair(kernel), ["stride"] = Pair(stride), ["padding"] = Pair(padding),
        ["dilation"] = Pair(1), ["groups"] = groups, ["bias"] = bias,
    };

    private static JsonArray Pair(int v) => new(v, v);

    private void Layer(Tensor x, Tensor y, JsonObject spec) =>
        _program.Add(new JsonObject { ["op"] = "layer", ["spec"] = spec, ["in"] = x.Var, ["out"] = y.Var });

    private void Merge(string kind, IEnumerable<Tensor> inputs, Tensor y) =>
        _program.Add(new JsonObject { ["op"] = kind, ["in"] = new JsonArray(inputs.Select(t => (JsonNode)t.Var).ToArray()), ["out"] = y.Var });

    /// <summary>
    /// An argument of a merge: a bare name, or a chain from it. <paramref name="target"/> says what the
    /// argument must end in: the same height and width (concat, channels free) or the same shape (add).
    /// </summary>
    private bool TryArgument(Tensor x, List<Named> scope, bool sameShape, out string text, out Tensor value, out bool chained)
    {
        text = ""; value = x; chained = false;
        var candidates = scope.Where(n => sameShape ? n.Tensor.SameShape(x) : n.Tensor.SameSize(x)).ToList();
        // a chain first: it fixes the size (a pool) or the channels (a 1×1 conv) of an earlier tensor
        var downs = scope.Where(n => n.Tensor.H / 2 == x.H && n.Tensor.W / 2 == x.W && n.Tensor.H >= 4).ToList();
        int roll = R.Next(3);
        if (roll == 0 && downs.Count > 0)
        {
            var n = downs[R.Next(downs.Count)];
            var pooled = new Tensor(NewVar(), n.Tensor.C, n.Tensor.H / 2, n.Tensor.W / 2);
            Layer(n.Tensor, pooled, new JsonObject { ["kind"] = "pool", ["pool"] = "max", ["size"] = Pair(2), ["stride"] = Pair(2), ["padding"] = Pair(0) });
            text = $"{n.Name} -> pool(max, 2)";
            value = pooled;
            if (sameShape || R.Next(2) == 0)
            {
                var conv = new Tensor(NewVar(), x.C, x.H, x.W);
                Layer(pooled, conv, Conv(x.C, 1, 1, 0, 1, false));
                text += $" -> conv({x.C}, kernel: 1, bias: false)";
                value = conv;
            }
            chained = true;
            return true;
        }
        var sized = scope.Where(n => n.Tensor.SameSize(x)).ToList();
        if (roll == 1 && sized.Count > 0)
        {
            var n = sized[R.Next(sized.Count)];
            int channels = sameShape ? x.C : R.Next(1, 9);
            var conv = new Tensor(NewVar(), channels, x.H, x.W);
            Layer(n.Tensor, conv, Conv(channels, 1, 1, 0, 1, true));
            text = $"{n.Name} -> conv({channels}, kernel: 1)";
            value = conv;
            if (R.Next(2) == 0)
            {
                var bn = conv with { Var = NewVar() };
                Layer(conv, bn, new JsonObject { ["kind"] = "batchnorm", ["eps"] = 1e-5, ["momentum"] = 0.1 });
                text += " -> batchnorm";
                value = bn;
            }
            chained = true;
            return true;
        }
        if (candidates.Count == 0) return false;
        var bare = candidates[R.Next(candidates.Count)];
        text = bare.Name;
        value = bare.Tensor;
        return true;
    }

    private bool TryConcat(Tensor x, List<Named> scope, out (string, Tensor) result)
    {
        result = default;
        int wanted = R.Next(4) == 0 ? 2 : 1;
        var args = new List<(string Text, Tensor Value, bool Chained)>();
        for (int i = 0; i < wanted; i++)
            if (TryArgument(x, scope, sameShape: false, out var text, out var value, out var chained)) args.Add((text, value, chained));
        if (args.Count == 0) return false;
        var y = new Tensor(NewVar(), x.C + args.Sum(a => a.Value.C), x.H, x.W);
        Merge("concat", args.Select(a => a.Value).Prepend(x), y);
        _forms.Add(args.Any(a => a.Chained) ? "concat.chain" : "concat.name");
        if (args.Count > 1) _forms.Add("concat.many");
        result = ($"concat({string.Join(", ", args.Select(a => a.Text))})", y);
        return true;
    }

    private bool TryAdd(Tensor x, List<Named> scope, out (string, Tensor) result)
    {
        result = default;
        if (!TryArgument(x, scope, sameShape: true, out var text, out var value, out var chained)) return false;
        var y = x with { Var = NewVar() };
        Merge("add", [x, value], y);
        _forms.Add(chained ? "add.chain" : "add.name");
        result = ($"add({text})", y);
        return true;
    }

    /// <summary>`residual { … }` keeping the shape, or `residual(shortcut: conv 1×1 → batchnorm) { … }` changing it.</summary>
    private Tensor Residual(StringBuilder sb, string indent, Tensor x, List<Named> scope, int depth, bool keepShape)
    {
        bool project = R.Next(2) == 0;
        var inner = new List<Named>(scope);
        var body = new StringBuilder();
        Tensor y;
        string head;
        if (project)
        {
            _forms.Add("residual.shortcut");
            int stride = !keepShape && x.H >= 6 && x.W >= 6 && R.Next(2) == 0 ? 2 : 1;
            int filters = keepShape ? x.C : R.Next(1, 5) * 2;
            // the body first (the graph runs it before the shortcut)
            var first = new Tensor(NewVar(), filters, (x.H + 2 - 3) / stride + 1, (x.W + 2 - 3) / stride + 1);
            Layer(x, first, Conv(filters, 3, stride, 1, 1, false));
            var bn = first with { Var = NewVar() };
            Layer(first, bn, new JsonObject { ["kind"] = "batchnorm", ["eps"] = 1e-5, ["momentum"] = 0.1 });
            body.Append(indent).Append($"    conv({filters}, kernel: 3{(stride != 1 ? $", stride: {stride}" : "")}, padding: 1, bias: false) -> batchnorm\n");
            y = bn;
            int more = R.Next(0, 3);
            for (int i = 0; i < more; i++) y = SameShapeItem(body, indent + "    ", y, inner, depth + 1);
            var shortcut = new Tensor(NewVar(), filters, (x.H - 1) / stride + 1, (x.W - 1) / stride + 1);
            Layer(x, shortcut, Conv(filters, 1, stride, 0, 1, false));
            var sbn = shortcut with { Var = NewVar() };
            Layer(shortcut, sbn, new JsonObject { ["kind"] = "batchnorm", ["eps"] = 1e-5, ["momentum"] = 0.1 });
            head = $"residual(shortcut: conv({filters}, kernel: 1{(stride != 1 ? $", stride: {stride}" : "")}, bias: false) -> batchnorm) {{";
            var joined = y with { Var = NewVar() };
            Merge("add", [y, sbn], joined);
            y = joined;
        }
        else
        {
            _forms.Add("residual");
            y = x;
            int count = R.Next(1, 4);
            for (int i = 0; i < count; i++) y = SameShapeItem(body, indent + "    ", y, inner, depth + 1);
            var joined = y with { Var = NewVar() };
            Merge("add", [y, x], joined);
            y = joined;
            head = "residual {";
        }
        sb.Append(indent).Append(head).Append('\n').Append(body).Append(indent).Append("}\n");
        return y;
    }

    /// <summary>An item inside a plain residual's body: it must keep the shape.</summary>
    private Tensor SameShapeItem(StringBuilder sb, string indent, Tensor x, List<Named> scope, int depth)
    {
        string line;
        Tensor y;
        int roll = R.Next(10);
        if (roll < 2 && TryAdd(x, scope, out var add)) (line, y) = add;
        else if (roll < 3 && depth < 2) return Residual(sb, indent, x, scope, depth, keepShape: true);
        else
        {
            var groups = Enumerable.Range(1, 3).Where(g => x.C % g == 0).ToList();
            int g = R.Next(3) == 0 ? groups[R.Next(groups.Count)] : 1;
            if (g > 1) _forms.Add("conv.groups");
            var conv = new Tensor(NewVar(), x.C, x.H, x.W);
            Layer(x, conv, Conv(x.C, 3, 1, 1, g, true));
            var (text, act) = Same(conv, "relu", new JsonObject { ["kind"] = "relu" });
            (line, y) = ($"conv({x.C}, kernel: 3, padding: 1{(g > 1 ? $", groups: {g}" : "")}) -> {text}", act);
        }
        sb.Append(indent).Append(line);
        if (R.Next(100) < 35)
        {
            var n = NewName();
            _forms.Add("residual.name-inside");
            sb.Append(" as ").Append(n);
            scope.Add(new Named(n, y));
        }
        sb.Append('\n');
        return y;
    }

    /// <summary>
    /// A use of one of three blocks: `Join(c, skip)` (a conv, then concat of the tensor argument), `Mix(skip)`
    /// (add of the tensor argument through a relu) or `Twice(c)` (a conv named inside the block, added back).
    /// </summary>
    private bool TryBlock(Tensor x, List<Named> scope, out (string, Tensor) result)
    {
        result = default;
        int roll = R.Next(3);
        var sized = scope.Where(n => n.Tensor.SameSize(x)).ToList();
        var shaped = scope.Where(n => n.Tensor.SameShape(x)).ToList();
        if (roll == 0 && sized.Count > 0)
        {
            var skip = sized[R.Next(sized.Count)];
            int c = R.Next(1, 9);
            Define("Join", "block Join(c, skip) {\n    conv(c, kernel: 3, padding: 1) -> relu -> concat(skip)\n}\n");
            var conv = new Tensor(NewVar(), c, x.H, x.W);
            Layer(x, conv, Conv(c, 3, 1, 1, 1, true));
            var relu = conv with { Var = NewVar() };
            Layer(conv, relu, new JsonObject { ["kind"] = "relu" });
            var y = new Tensor(NewVar(), c + skip.Tensor.C, x.H, x.W);
            Merge("concat", [relu, skip.Tensor], y);
            _forms.Add("block.tensor-arg");
            result = ($"Join({c}, {skip.Name})", y);
            return true;
        }
        if (roll == 1 && shaped.Count > 0)
        {
            var skip = shaped[R.Next(shaped.Count)];
            Define("Mix", "block Mix(skip) {\n    add(skip -> relu)\n}\n");
            var relu = skip.Tensor with { Var = NewVar() };
            Layer(skip.Tensor, relu, new JsonObject { ["kind"] = "relu" });
            var y = x with { Var = NewVar() };
            Merge("add", [x, relu], y);
            _forms.Add("block.tensor-arg");
            result = ($"Mix({skip.Name})", y);
            return true;
        }
        {
            int c = R.Next(1, 9);
            Define("Twice", "block Twice(c) {\n    conv(c, kernel: 3, padding: 1) as first\n    relu -> conv(c, kernel: 3, padding: 1) -> add(first)\n}\n");
            var first = new Tensor(NewVar(), c, x.H, x.W);
            Layer(x, first, Conv(c, 3, 1, 1, 1, true));
            var relu = first with { Var = NewVar() };
            Layer(first, relu, new JsonObject { ["kind"] = "relu" });
            var second = first with { Var = NewVar() };
            Layer(relu, second, Conv(c, 3, 1, 1, 1, true));
            var y = first with { Var = NewVar() };
            Merge("add", [second, first], y);
            _forms.Add("block.own-name");
            result = ($"Twice({c})", y);
            return true;
        }
    }

    private void Define(string name, string text)
    {
        if (_blocksUsed.Add(name)) _blocks.Append(text).Append('\n');
    }
}
