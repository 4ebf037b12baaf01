using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Annlsp.Language.Tests.Differential;

/// <summary>One argument as written: its catalogue (or block parameter) name and its value text.</summary>
internal sealed class GenArg(string name, string text, bool positional)
{
    public string Name { get; } = name;
    /// <summary>The value as written at a use that is not inside a block body that parameterises it.</summary>
    public string Text { get; } = text;
    public bool Positional { get; set; } = positional;
    /// <summary>Set when the enclosing block declaration replaced the value by one of its parameters.</summary>
    public string? Param { get; set; }
    public string Written => Param ?? Text;
    public GenArg Copy() => new(Name, Text, Positional);
}

internal abstract class GenItem
{
    /// <summary>The generator's own idea of the output shape (used only to keep the network valid).</summary>
    public required int[] Output { get; init; }
}

internal sealed class GenLayer : GenItem
{
    public required string Kind { get; init; }
    public required List<GenArg> Args { get; init; }
    /// <summary>`relu()` rather than `relu` when there are no arguments.</summary>
    public bool Parens { get; init; }
    /// <summary>What the Python side builds: kind plus resolved argument values.</summary>
    public required JsonObject Spec { get; init; }
}

internal sealed class GenResidual : GenItem
{
    public required List<GenItem> Body { get; init; }
    public bool Inline { get; init; }
}

internal sealed class GenBlock
{
    public required string Name { get; init; }
    public required List<string> Parameters { get; init; }
    public required List<GenItem> Body { get; init; }
    public required int[] Input { get; init; }
    public required int[] Output { get; init; }
    /// <summary>The value text for each parameter (what the first use passes).</summary>
    public required List<string> Values { get; init; }
    public bool EmptyParens { get; init; }
}

internal sealed class GenBlockUse : GenItem
{
    public required GenBlock Block { get; init; }
    public required List<GenArg> Args { get; init; }
    public bool Parens { get; init; }
}

/// <summary>A generated network: its `.ann` text (with the blocks it uses) and the structure Python rebuilds.</summary>
internal sealed class GeneratedNetwork
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required string Text { get; init; }
    public required int[] Input { get; init; }
    public required List<GenItem> Items { get; init; }

    /// <summary>The output of the generated items (without any tail).</summary>
    public int[] Output => Items.Count == 0 ? Input : Items[^1].Output;

    /// <summary>The layers as the checker lists them: blocks expanded, residual bodies nested.</summary>
    public JsonArray Expanded() => Expand(Items);

    private static JsonArray Expand(List<GenItem> items)
    {
        var result = new JsonArray();
        foreach (var item in items)
        {
            switch (item)
            {
                case GenLayer l: result.Add(l.Spec.DeepClone()); break;
                case GenResidual r: result.Add(new JsonObject { ["kind"] = "residual", ["body"] = Expand(r.Body) }); break;
                case GenBlockUse u: foreach (var x in Expand(u.Block.Body)) result.Add(x!.DeepClone()); break;
            }
        }
        return result;
    }
}

/// <summary>
/// Generates random valid networks from a seed: every layer kind and argument, ints and HxW pairs,
/// `same`/`valid` padding, positional and named arguments, integer products, residuals, parameterised
/// and nested blocks, `->` and newline separators, comments. Validity is kept by construction: the
/// generator tracks shapes itself with PyTorch's formulas (PyTorch then has the last word).
/// </summary>
internal sealed class NetworkGenerator
{
    private const int MaxSpatial = 48;
    private const int MaxElements = 12_000;

    private readonly Random _rng;
    private List<GenBlock> _blocks = [];
    private int _blockCounter;
    private int _paramCounter;

    public NetworkGenerator(int seed) => _rng = new Random(seed);

    /// <summary>
    /// Write HxW pairs with a zero (`padding: 1x0`, `output_padding: 0x1`). BUG-L1 in
    /// .notes-language-bugs.md (the lexer rejected them), fixed in 7dcc2c8; on by default.
    /// </summary>
    public bool ZeroInPairs { get; init; } = true;

    /// <summary>
    /// Break an argument list after a comma before a positional name (`conv(f,` ⏎ `k)`). BUG-L2 in
    /// .notes-language-bugs.md, fixed in 07bc662; on by default.
    /// </summary>
    public bool NameOnContinuationLine { get; init; } = true;

    /// <summary>
    /// Write some named arguments without spaces (`kernel:3`); BUG-L9, fixed by the lead; on by default.
    /// </summary>
    public bool ColonWithoutSpace { get; init; } = true;

    /// <summary>Tags for what was generated ("conv.padding=same"), to prove coverage.</summary>
    public HashSet<string> Coverage { get; } = [];

    private void Cover(string tag) => Coverage.Add(tag);

    // ── Random helpers ───────────────────────────────────────────────────────────

    private int R(int lo, int hi) => _rng.Next(lo, hi + 1);
    private bool P(double p) => _rng.NextDouble() < p;
    private T Pick<T>(IReadOnlyList<T> xs) => xs[_rng.Next(xs.Count)];

    private string IntText(int n, bool allowProduct = true)
    {
        if (allowProduct && n >= 4 && P(0.12))
        {
            var factors = Enumerable.Range(2, n - 2).Where(f => n % f == 0 && f * f <= n).ToList();
            if (factors.Count > 0)
            {
                int f = Pick(factors);
                Cover("product");
                return P(0.5) ? $"{f} * {n / f}" : $"{n / f}*{f}";
            }
        }
        return n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>An int or an HxW pair.</summary>
    private (int H, int W, string Text) RPair(int lo, int hi, double pairProbability = 0.3)
    {
        if (P(pairProbability))
        {
            int h = R(lo, hi), w = R(lo, hi);
            if (!ZeroInPairs && (h == 0 || w == 0)) h = w = 0;
            return (h, w, PairText(h, w));
        }
        int n = R(lo, hi);
        return (n, n, PairText(n, n));
    }

    /// <summary>`3`, `3x3`, `3X3` or `2x5`; a pair with a zero only when <see cref="ZeroInPairs"/>.</summary>
    private string PairText(int h, int w)
    {
        if (h == w && (P(0.85) || (h == 0 && !ZeroInPairs))) return h.ToString(CultureInfo.InvariantCulture);
        if (!ZeroInPairs && (h == 0 || w == 0)) throw new InvalidOperationException($"{h}x{w} is not generated with ZeroInPairs off");
        return $"{h}{(P(0.05) ? "X" : "x")}{w}";
    }

    private static string PairKind(string text) => text.Contains('x', StringComparison.OrdinalIgnoreCase) ? "pair" : "int";

    private string NumberText(double v)
    {
        var forms = new List<string> { v.ToString("R", CultureInfo.InvariantCulture) };
        if (v > 0 && v < 1)
        {
            forms.Add(v.ToString("0.0##########", CultureInfo.InvariantCulture));
            string e = v.ToString("0.###e+0", CultureInfo.InvariantCulture).Replace("e+", "e");
            forms.Add(e);
            forms.Add(e.Replace('e', 'E'));
            string plain = v.ToString("0.0##########", CultureInfo.InvariantCulture);
            if (plain.StartsWith("0.", StringComparison.Ordinal)) forms.Add(plain[1..]);
        }
        return Pick(forms);
    }

    private static JsonArray Arr(params int[] xs) => new(xs.Select(x => (JsonNode)x).ToArray());

    /// <summary>Chooses which given arguments are positional (a prefix of the signature) and orders the named rest.</summary>
    private List<GenArg> Arrange(string[] signature, List<GenArg> given)
    {
        int prefix = 0;
        while (prefix < signature.Length && given.Any(a => a.Name == signature[prefix])) prefix++;
        int positional = prefix == 0 ? 0 : R(0, prefix);
        var result = new List<GenArg>();
        for (int i = 0; i < positional; i++)
        {
            var a = given.First(g => g.Name == signature[i]);
            a.Positional = true;
            result.Add(a);
        }
        var named = given.Where(g => !result.Contains(g)).ToList();
        if (P(0.5)) named = named.OrderBy(_ => _rng.Next()).ToList();
        foreach (var a in named) a.Positional = false;
        result.AddRange(named);
        if (result.Any(a => a.Positional)) Cover("positional");
        if (result.Any(a => !a.Positional)) Cover("named");
        return result;
    }

    private GenLayer Layer(string kind, int[] output, JsonObject spec, string[] signature, List<GenArg> given, bool? parens = null)
    {
        Cover("layer:" + kind);
        foreach (var a in given) Cover($"arg:{kind}.{a.Name}");
        spec["kind"] = kind;
        return new GenLayer
        {
            Kind = kind, Output = output, Spec = spec,
            Args = Arrange(signature, given),
            Parens = parens ?? (given.Count > 0 || P(0.2)),
        };
    }

    private static GenArg A(string name, string text) => new(name, text, false);

    private static long Elements(int[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    // ── Networks ─────────────────────────────────────────────────────────────────

    /// <summary>
    /// A network whose last item is drawn without the validity filter (windows larger than the input,
    /// output_padding ≥ stride, `same` with a stride, pool padding over half the window, a layer of the
    /// wrong rank, a reshape to the wrong count, a residual that changes the shape): PyTorch decides
    /// whether it is valid, and the checker must agree.
    /// </summary>
    public GeneratedNetwork GenerateChaotic(int index) => Generate(index, chaos: true);

    public GeneratedNetwork Generate(int index) => Generate(index, chaos: false);

    /// <summary>A valid network from a given input shape, with <paramref name="layers"/> random items and the given name.</summary>
    /// <paramref name="tail"/> is written after them, as the network's last line(s).
    public GeneratedNetwork GenerateFrom(string name, int[] input, int layers, string? tail = null) => Generate(0, chaos: false, name, input, layers, tail);

    private GeneratedNetwork Generate(int index, bool chaos, string? fixedName = null, int[]? fixedInput = null, int? fixedCount = null, string? tail = null)
    {
        _blocks = [];
        _paramCounter = 0;
        string name = fixedName ?? (P(0.5) ? $"Net{index}" : $"net_{index}_{Pick(new[] { "a", "B", "cnn", "mlp" })}");
        int[] input;
        if (fixedInput is not null)
            input = fixedInput;
        else if (P(0.7))
            input = [R(1, 4), R(4, 32), R(4, 32)];
        else if (P(0.1))
        {
            input = [R(1, 16), R(1, 64)];
            Cover("input=sequence");
        }
        else
            input = [R(1, 120)];
        if (fixedInput is null && input.Length == 3 && P(0.5)) input[2] = input[1];

        var items = new List<GenItem>();
        var shape = input;
        int count = fixedCount ?? (chaos ? R(0, 4) : R(2, 9));
        for (int i = 0; i < count; i++)
        {
            var item = NextItem(shape, depth: 0);
            items.Add(item);
            shape = item.Output;
        }
        if (chaos) items.Add(Chaos(shape));

        var sb = new StringBuilder();
        if (P(0.3)) sb.Append("# generated network ").Append(index).Append('\n');
        bool blocksFirst = P(0.6);
        if (blocksFirst) RenderBlocks(sb);
        sb.Append("network ").Append(name).Append(P(0.9) ? " {\n" : "{\n");
        string inputText = string.Join("x", input);
        sb.Append("    input(").Append(P(0.2) ? "shape: " : "").Append(inputText).Append(')');
        foreach (var item in items)
        {
            sb.Append(Separator("    ", inline: false));
            RenderItem(sb, item, "    ");
        }
        if (tail is not null) sb.Append("\n    ").Append(tail);
        sb.Append(P(0.2) ? "  # end\n}\n" : "\n}\n");
        if (!blocksFirst) { sb.Append('\n'); RenderBlocks(sb); }

        string text = sb.ToString();
        if (P(0.1)) { text = text.Replace("    ", "\t"); Cover("tabs"); }
        if (P(0.1)) { text = text.Replace("\n", "\r\n"); Cover("crlf"); }
        return new GeneratedNetwork { Index = index, Name = name, Text = text, Input = input, Items = items };
    }

    private GenItem NextItem(int[] shape, int depth)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var choices = new List<(double Weight, Func<GenItem?> Make)>();
            if (shape.Length == 3)
            {
                choices.Add((3, () => Conv(shape)));
                choices.Add((1.2, () => Deconv(shape)));
                choices.Add((2, () => Pool(shape)));
                choices.Add((0.5, () => GlobalPool(shape)));
                choices.Add((0.7, () => Upsample(shape)));
                choices.Add((1, () => Flatten(shape)));
                choices.Add((0.5, () => Reshape(shape)));
                choices.Add((1, () => BatchNorm(shape)));
                choices.Add((0.5, () => GroupNorm(shape)));
                choices.Add((0.4, () => InstanceNorm(shape)));
                choices.Add((0.5, () => Pad(shape)));
                choices.Add((0.3, () => MinibatchStd(shape)));
            }
            else if (shape.Length == 1)
            {
                choices.Add((3, () => Dense(shape)));
                choices.Add((1, () => BatchNorm(shape)));
                choices.Add((0.3, () => GroupNorm(shape)));
                choices.Add((0.7, () => Reshape(shape)));
                choices.Add((0.2, () => Flatten(shape)));
            }
            else
            {
                // A sequence C×L: only what keeps or flattens it.
                choices.Add((1.5, () => Flatten(shape)));
                choices.Add((0.7, () => Reshape(shape)));
                choices.Add((1, () => BatchNorm(shape)));
                choices.Add((0.3, () => GroupNorm(shape)));
            }
            choices.Add((2.2, () => Activation(shape)));
            choices.Add((0.6, () => Dropout(shape)));
            if (depth < 2)
            {
                choices.Add((0.8, () => Residual(shape, depth)));
                choices.Add((0.8, () => BlockUse(shape, depth)));
            }
            double total = choices.Sum(c => c.Weight);
            double x = _rng.NextDouble() * total;
            foreach (var (w, make) in choices)
            {
                x -= w;
                if (x > 0) continue;
                var item = make();
                if (item is not null) return item;
                break;
            }
        }
        return Activation(shape);
    }

    // ── Layers ───────────────────────────────────────────────────────────────────

    private static readonly string[] ConvSignature = ["filters", "kernel", "stride", "padding", "dilation", "bias", "groups"];
    private static readonly string[] DeconvSignature = ["filters", "kernel", "stride", "padding", "output_padding", "dilation", "bias"];
    private static readonly string[] PoolSignature = ["kind", "size", "stride", "padding"];

    private GenItem? Conv(int[] shape)
    {
        int c = shape[0], h = shape[1], w = shape[2];
        for (int attempt = 0; attempt < 30; attempt++)
        {
            var given = new List<GenArg>();
            int f = R(1, 12), groups = 1;
            if (P(0.2))
            {
                // Grouped: groups divides the input channels, the filters are a multiple of it.
                groups = Pick(Enumerable.Range(1, c).Where(g => c % g == 0).ToList());
                f = groups * R(1, Math.Max(1, 12 / groups));
                Cover(groups == c && f == c ? "conv.groups=depthwise" : "conv.groups");
            }
            given.Add(A("filters", IntText(f)));
            var k = RPair(1, 5);
            given.Add(A("kernel", k.Text));
            Cover("conv.kernel=" + PairKind(k.Text));
            (int H, int W) d = (1, 1);
            if (P(0.25))
            {
                var dd = RPair(1, 3);
                d = (dd.H, dd.W);
                given.Add(A("dilation", dd.Text));
                Cover("conv.dilation=" + PairKind(dd.Text));
            }
            double mode = _rng.NextDouble();
            (int H, int W) s = (1, 1);
            JsonNode padding;
            int oh, ow;
            if (mode < 0.2)
            {
                given.Add(A("padding", "same"));
                Cover("conv.padding=same");
                if (P(0.2)) given.Add(A("stride", P(0.5) ? "1" : "1x1"));
                padding = "same";
                oh = h; ow = w;
            }
            else
            {
                (int H, int W) p = (0, 0);
                if (mode < 0.3) { given.Add(A("padding", "valid")); Cover("conv.padding=valid"); }
                else if (mode < 0.7)
                {
                    var pp = RPair(0, 3);
                    p = (pp.H, pp.W);
                    given.Add(A("padding", pp.Text));
                    Cover("conv.padding=" + PairKind(pp.Text));
                }
                if (P(0.5))
                {
                    var ss = RPair(1, 3);
                    s = (ss.H, ss.W);
                    given.Add(A("stride", ss.Text));
                    Cover("conv.stride=" + PairKind(ss.Text));
                }
                long effH = (long)d.H * (k.H - 1) + 1, effW = (long)d.W * (k.W - 1) + 1;
                if (h + 2 * p.H < effH || w + 2 * p.W < effW) continue;
                oh = (int)((h + 2 * p.H - effH) / s.H + 1);
                ow = (int)((w + 2 * p.W - effW) / s.W + 1);
                padding = Arr(p.H, p.W);
            }
            if (oh > MaxSpatial || ow > MaxSpatial || (long)f * oh * ow > MaxElements) continue;
            bool bias = true;
            if (P(0.25))
            {
                bias = P(0.2);
                given.Add(A("bias", bias ? "true" : "false"));
                Cover("conv.bias=" + (bias ? "true" : "false"));
            }
            if (groups != 1 || P(0.03)) given.Add(A("groups", IntText(groups)));
            var spec = new JsonObject
            {
                ["filters"] = f, ["kernel"] = Arr(k.H, k.W), ["stride"] = Arr(s.H, s.W), ["padding"] = padding,
                ["dilation"] = Arr(d.H, d.W), ["bias"] = bias, ["groups"] = groups,
            };
            return Layer("conv", [f, oh, ow], spec, ConvSignature, given);
        }
        return null;
    }

    private GenItem? Deconv(int[] shape)
    {
        int h = shape[1], w = shape[2];
        for (int attempt = 0; attempt < 30; attempt++)
        {
            var given = new List<GenArg>();
            int f = R(1, 12);
            given.Add(A("filters", IntText(f)));
            var k = RPair(1, 5);
            given.Add(A("kernel", k.Text));
            (int H, int W) s = (1, 1), p = (0, 0), op = (0, 0), d = (1, 1);
            if (P(0.6)) { var x = RPair(1, 3); s = (x.H, x.W); given.Add(A("stride", x.Text)); }
            if (P(0.5)) { var x = RPair(0, 2); p = (x.H, x.W); given.Add(A("padding", x.Text)); }
            if (P(0.25)) { var x = RPair(1, 2); d = (x.H, x.W); given.Add(A("dilation", x.Text)); Cover("deconv.dilation"); }
            int maxOpH = Math.Max(s.H, d.H) - 1, maxOpW = Math.Max(s.W, d.W) - 1;
            if ((maxOpH > 0 || maxOpW > 0) && P(0.5))
            {
                op = (R(0, maxOpH), R(0, maxOpW));
                if (!ZeroInPairs && (op.H == 0 || op.W == 0)) op = op.H == op.W || Math.Min(maxOpH, maxOpW) == 0 ? (0, 0) : (1, 1);
                given.Add(A("output_padding", PairText(op.H, op.W)));
                Cover("deconv.output_padding");
            }
            int oh = (h - 1) * s.H - 2 * p.H + d.H * (k.H - 1) + op.H + 1;
            int ow = (w - 1) * s.W - 2 * p.W + d.W * (k.W - 1) + op.W + 1;
            if (oh < 1 || ow < 1 || oh > MaxSpatial || ow > MaxSpatial || (long)f * oh * ow > MaxElements) continue;
            bool bias = true;
            if (P(0.25))
            {
                bias = P(0.2);
                given.Add(A("bias", bias ? "true" : "false"));
                Cover("deconv.bias=" + (bias ? "true" : "false"));
            }
            var spec = new JsonObject
            {
                ["filters"] = f, ["kernel"] = Arr(k.H, k.W), ["stride"] = Arr(s.H, s.W), ["padding"] = Arr(p.H, p.W),
                ["output_padding"] = Arr(op.H, op.W), ["dilation"] = Arr(d.H, d.W), ["bias"] = bias,
            };
            return Layer("deconv", [f, oh, ow], spec, DeconvSignature, given);
        }
        return null;
    }

    private GenItem? Pool(int[] shape)
    {
        int c = shape[0], h = shape[1], w = shape[2];
        for (int attempt = 0; attempt < 30; attempt++)
        {
            var given = new List<GenArg>();
            string kind = P(0.6) ? "max" : "avg";
            given.Add(A("kind", kind));
            Cover("pool.kind=" + kind);
            var k = RPair(1, 4, 0.2);
            given.Add(A("size", k.Text));
            (int H, int W) s = (k.H, k.W), p = (0, 0);
            if (P(0.4)) { var x = RPair(1, 3, 0.2); s = (x.H, x.W); given.Add(A("stride", x.Text)); }
            if (P(0.3) && (k.H >= 2 || k.W >= 2))
            {
                p = (R(0, k.H / 2), R(0, k.W / 2));
                if (!ZeroInPairs && (p.H == 0 || p.W == 0)) p = (0, 0);
                given.Add(A("padding", PairText(p.H, p.W)));
            }
            if (h + 2 * p.H < k.H || w + 2 * p.W < k.W) continue;
            int oh = (h + 2 * p.H - k.H) / s.H + 1, ow = (w + 2 * p.W - k.W) / s.W + 1;
            var spec = new JsonObject
            {
                ["pool"] = kind, ["size"] = Arr(k.H, k.W), ["stride"] = Arr(s.H, s.W), ["padding"] = Arr(p.H, p.W),
            };
            return Layer("pool", [c, oh, ow], spec, PoolSignature, given);
        }
        return null;
    }

    private GenItem GlobalPool(int[] shape)
    {
        var given = new List<GenArg>();
        string kind = "avg";
        if (P(0.6))
        {
            kind = P(0.5) ? "max" : "avg";
            given.Add(A("kind", kind));
        }
        Cover("globalpool.kind=" + kind);
        return Layer("globalpool", [shape[0]], new JsonObject { ["pool"] = kind }, ["kind"], given);
    }

    private GenItem? Upsample(int[] shape)
    {
        int c = shape[0], h = shape[1], w = shape[2];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var given = new List<GenArg>();
            (int H, int W) s = (2, 2);
            if (P(0.6))
            {
                var x = RPair(1, 3);
                s = (x.H, x.W);
                given.Add(A("scale", x.Text));
                Cover("upsample.scale=" + PairKind(x.Text));
            }
            string mode = "nearest";
            if (P(0.6))
            {
                mode = P(0.5) ? "bilinear" : "nearest";
                given.Add(A("mode", mode));
            }
            Cover("upsample.mode=" + mode);
            int oh = h * s.H, ow = w * s.W;
            if (oh > MaxSpatial || ow > MaxSpatial || (long)c * oh * ow > MaxElements) continue;
            return Layer("upsample", [c, oh, ow], new JsonObject { ["scale"] = Arr(s.H, s.W), ["mode"] = mode }, ["scale", "mode"], given);
        }
        return null;
    }

    private GenItem? Flatten(int[] shape)
    {
        long n = Elements(shape);
        if (n > MaxElements) return null;
        return Layer("flatten", [(int)n], new JsonObject(), [], []);
    }

    private GenItem? Reshape(int[] shape)
    {
        int n = (int)Elements(shape);
        var divisors = Enumerable.Range(1, n).Where(x => n % x == 0).ToList();
        int[] target;
        double r = _rng.NextDouble();
        if (r < 0.3 && shape.Length != 1)
            target = [n];
        else if (r < 0.42)
        {
            // A sequence C×L.
            var fits = divisors.Where(c => c <= 256 && n / c <= 4 * MaxSpatial).ToList();
            if (fits.Count == 0) return null;
            int c = Pick(fits);
            target = [c, n / c];
            Cover("reshape=sequence");
        }
        else
        {
            // Prefer square images: the largest s with s*s | n, else any divisors.
            var squares = divisors.Where(s => s > 1 && n % (s * s) == 0 && s <= MaxSpatial).ToList();
            if (squares.Count > 0 && P(0.7))
            {
                int s = Pick(squares);
                target = [n / (s * s), s, s];
            }
            else
            {
                int hh = Pick(divisors.Where(x => x <= MaxSpatial).ToList());
                var rest = Enumerable.Range(1, n / hh).Where(x => n / hh % x == 0 && x <= MaxSpatial).ToList();
                int ww = Pick(rest);
                target = [n / hh / ww, hh, ww];
            }
            if (target[0] > 256) return null;
        }
        if (target.SequenceEqual(shape) && P(0.7)) return null;
        string text = target.Length == 1 ? IntText(target[0]) : string.Join("x", target);
        var given = new List<GenArg> { A("shape", text) };
        return Layer("reshape", target, new JsonObject { ["shape"] = Arr(target) }, ["shape"], given);
    }

    private GenItem? Dense(int[] shape, int? units = null)
    {
        int u = units ?? R(1, 64);
        var given = new List<GenArg> { A("units", IntText(u)) };
        bool bias = true;
        if (P(0.25))
        {
            bias = P(0.2);
            given.Add(A("bias", bias ? "true" : "false"));
            Cover("dense.bias=" + (bias ? "true" : "false"));
        }
        return Layer("dense", [u], new JsonObject { ["units"] = u, ["bias"] = bias }, ["units", "bias"], given);
    }

    private static readonly string[] Simple = ["relu", "sigmoid", "tanh", "gelu", "silu", "relu6", "softmax"];

    private GenItem Activation(int[] shape)
    {
        if (P(0.1))
        {
            var given = new List<GenArg>();
            double alpha = 1.0;
            if (P(0.5))
            {
                alpha = Pick(new[] { 0.5, 1.0, 2.0, 0.0 });
                given.Add(A("alpha", NumberText(alpha)));
            }
            return Layer("elu", shape, new JsonObject { ["alpha"] = alpha }, ["alpha"], given);
        }
        if (P(0.25))
        {
            var given = new List<GenArg>();
            double slope = 0.01;
            if (P(0.7))
            {
                slope = Pick(new[] { 0.2, 0.1, 0.01, 0.3, 0.05, 1.0, 0.0 });
                given.Add(A("slope", slope == 1.0 && P(0.5) ? "1" : NumberText(slope)));
            }
            return Layer("leakyrelu", shape, new JsonObject { ["slope"] = slope }, ["slope"], given);
        }
        string kind = Pick(Simple);
        return Layer(kind, shape, new JsonObject(), [], []);
    }

    private GenItem Dropout(int[] shape)
    {
        var given = new List<GenArg>();
        double p = 0.5;
        if (P(0.7))
        {
            p = Pick(new[] { 0.0, 0.1, 0.25, 0.3, 0.5, 0.9 });
            given.Add(A("p", p == 0 && P(0.5) ? "0" : NumberText(p)));
        }
        return Layer("dropout", shape, new JsonObject { ["p"] = p }, ["p"], given);
    }

    private GenItem? BatchNorm(int[] shape)
    {
        Cover(shape.Length switch { 1 => "batchnorm1d", 2 => "batchnorm1d-sequence", _ => "batchnorm2d" });
        var given = new List<GenArg>();
        double momentum = 0.1, eps = 1e-5;
        if (P(0.3)) { momentum = Pick(new[] { 0.1, 0.01, 0.5, 0.9, 1.0 }); given.Add(A("momentum", momentum == 1.0 ? "1" : NumberText(momentum))); }
        if (P(0.3)) { eps = Pick(new[] { 1e-5, 1e-3, 0.001, 1e-6, 0.1 }); given.Add(A("eps", NumberText(eps))); }
        return Layer("batchnorm", shape, new JsonObject { ["momentum"] = momentum, ["eps"] = eps }, ["momentum", "eps"], given);
    }

    private GenItem GroupNorm(int[] shape)
    {
        int c = shape[0];
        int groups = Pick(Enumerable.Range(1, c).Where(g => c % g == 0).ToList());
        Cover(shape.Length switch { 1 => "groupnorm1d", 2 => "groupnorm-sequence", _ => "groupnorm2d" });
        var given = new List<GenArg> { A("groups", IntText(groups)) };
        double eps = 1e-5;
        if (P(0.3)) { eps = Pick(new[] { 1e-5, 1e-3, 1e-6, 0.1 }); given.Add(A("eps", NumberText(eps))); }
        return Layer("groupnorm", shape, new JsonObject { ["groups"] = groups, ["eps"] = eps }, ["groups", "eps"], given);
    }

    /// <summary>instancenorm needs more than one pixel per channel (PyTorch refuses 1×1).</summary>
    private GenItem? InstanceNorm(int[] shape) =>
        shape[1] * shape[2] > 1 ? Layer("instancenorm", shape, new JsonObject(), [], []) : null;

    private GenItem? MinibatchStd(int[] shape)
    {
        if ((long)(shape[0] + 1) * shape[1] * shape[2] > MaxElements) return null;
        var given = new List<GenArg>();
        int group = 4;
        if (P(0.5)) { group = Pick(new[] { 1, 2, 3, 4, 8 }); given.Add(A("group", IntText(group))); }
        Cover("minibatchstd");
        return Layer("minibatchstd", [shape[0] + 1, shape[1], shape[2]], new JsonObject { ["group"] = group }, ["group"], given);
    }

    private GenItem? Pad(int[] shape)
    {
        var p = RPair(0, 3);
        int oh = shape[1] + 2 * p.H, ow = shape[2] + 2 * p.W;
        if (oh > MaxSpatial || ow > MaxSpatial || (long)shape[0] * oh * ow > MaxElements) return null;
        Cover("pad.padding=" + PairKind(p.Text));
        return Layer("pad", [shape[0], oh, ow], new JsonObject { ["padding"] = Arr(p.H, p.W) }, ["padding"], [A("padding", p.Text)]);
    }

    // ── Chaos: the last layer of GenerateChaotic, valid or not ───────────────────

    private (int H, int W, string Text) Any(int lo, int hi) => RPair(lo, hi, 0.4);

    private GenItem Chaos(int[] shape)
    {
        int[] unknown = [];
        double r = _rng.NextDouble();
        bool image = shape.Length == 3;
        Cover("chaos");
        if (r < 0.3 || (!image && r < 0.4))
        {
            var kind = image ? Pick(new[] { "conv", "deconv", "pool" }) : Pick(new[] { "conv", "deconv", "pool", "globalpool", "upsample" });
            if (!image)
            {
                // A layer that needs an image, on a vector.
                var given = kind switch
                {
                    "conv" or "deconv" => new List<GenArg> { A("filters", "4"), A("kernel", "3") },
                    "pool" => [A("kind", "max"), A("size", "2")],
                    _ => [],
                };
                var spec = kind switch
                {
                    "conv" => new JsonObject { ["filters"] = 4, ["kernel"] = Arr(3, 3), ["stride"] = Arr(1, 1), ["padding"] = Arr(0, 0), ["dilation"] = Arr(1, 1), ["bias"] = true },
                    "deconv" => new JsonObject { ["filters"] = 4, ["kernel"] = Arr(3, 3), ["stride"] = Arr(1, 1), ["padding"] = Arr(0, 0), ["output_padding"] = Arr(0, 0), ["dilation"] = Arr(1, 1), ["bias"] = true },
                    "pool" => new JsonObject { ["pool"] = "max", ["size"] = Arr(2, 2), ["stride"] = Arr(2, 2), ["padding"] = Arr(0, 0) },
                    "globalpool" => new JsonObject { ["pool"] = "avg" },
                    _ => new JsonObject { ["scale"] = Arr(2, 2), ["mode"] = "nearest" },
                };
                string[] signature = kind switch { "conv" => ConvSignature, "deconv" => DeconvSignature, "pool" => PoolSignature, _ => ["kind"] };
                Cover("chaos.rank");
                return Layer(kind, unknown, spec, signature, given);
            }
            if (kind == "conv")
            {
                var k = Any(1, 9);
                var st = Any(1, 4);
                var d = Any(1, 3);
                var given = new List<GenArg> { A("filters", "3"), A("kernel", k.Text), A("stride", st.Text), A("dilation", d.Text) };
                JsonNode padding;
                if (P(0.25)) { given.Add(A("padding", "same")); padding = "same"; Cover("chaos.same"); }
                else { var p = Any(0, 5); given.Add(A("padding", p.Text)); padding = Arr(p.H, p.W); }
                // Groups that may not divide the 3 filters or the input channels.
                int groups = 1;
                if (P(0.25)) { groups = R(1, 4); given.Add(A("groups", IntText(groups))); Cover("chaos.groups"); }
                return Layer("conv", unknown, new JsonObject { ["filters"] = 3, ["kernel"] = Arr(k.H, k.W), ["stride"] = Arr(st.H, st.W), ["padding"] = padding, ["dilation"] = Arr(d.H, d.W), ["bias"] = true, ["groups"] = groups },
                    ConvSignature, given);
            }
            if (kind == "deconv")
            {
                var k = Any(1, 6);
                var st = Any(1, 4);
                var p = Any(0, 5);
                var op = Any(0, 4);
                var d = Any(1, 3);
                Cover("chaos.deconv");
                return Layer("deconv", unknown,
                    new JsonObject { ["filters"] = 3, ["kernel"] = Arr(k.H, k.W), ["stride"] = Arr(st.H, st.W), ["padding"] = Arr(p.H, p.W), ["output_padding"] = Arr(op.H, op.W), ["dilation"] = Arr(d.H, d.W), ["bias"] = true },
                    DeconvSignature, [A("filters", "3"), A("kernel", k.Text), A("stride", st.Text), A("padding", p.Text), A("output_padding", op.Text), A("dilation", d.Text)]);
            }
            {
                var k = Any(1, 8);
                var st = Any(1, 4);
                var p = Any(0, 4);
                string kindWord = P(0.5) ? "max" : "avg";
                Cover("chaos.pool");
                return Layer("pool", unknown, new JsonObject { ["pool"] = kindWord, ["size"] = Arr(k.H, k.W), ["stride"] = Arr(st.H, st.W), ["padding"] = Arr(p.H, p.W) },
                    PoolSignature, [A("kind", kindWord), A("size", k.Text), A("stride", st.Text), A("padding", p.Text)]);
            }
        }
        if (r < 0.5 && image)
        {
            Cover("chaos.rank");
            return Layer("dense", unknown, new JsonObject { ["units"] = 5, ["bias"] = true }, ["units", "bias"], [A("units", "5")]);
        }
        if (r < 0.7)
        {
            // A reshape whose element count may not match.
            long n = Elements(shape);
            double t = _rng.NextDouble();
            int[] target = t < 0.4 ? [(int)n] : t < 0.7 ? [(int)n + Pick(new[] { -1, 1 })] : [R(1, 4), R(1, 8), R(1, 8)];
            if (target[0] < 1) target[0] = 1;
            Cover("chaos.reshape");
            return Layer("reshape", unknown, new JsonObject { ["shape"] = Arr(target) }, ["shape"], [A("shape", target.Length == 1 ? target[0].ToString(CultureInfo.InvariantCulture) : string.Join("x", target))]);
        }
        // A residual whose body may change the shape.
        Cover("chaos.residual");
        if (image)
        {
            int f = P(0.5) ? shape[0] : R(1, 6);
            int k = R(1, 3), p = R(0, 1);
            var conv = Layer("conv", unknown,
                new JsonObject { ["filters"] = f, ["kernel"] = Arr(k, k), ["stride"] = Arr(1, 1), ["padding"] = Arr(p, p), ["dilation"] = Arr(1, 1), ["bias"] = true },
                ConvSignature, [A("filters", f.ToString(CultureInfo.InvariantCulture)), A("kernel", k.ToString(CultureInfo.InvariantCulture)), A("padding", p.ToString(CultureInfo.InvariantCulture))]);
            return new GenResidual { Body = [conv], Output = unknown };
        }
        int u = P(0.5) ? shape[0] : R(1, 64);
        return new GenResidual { Body = [Dense(shape, u)!], Output = unknown };
    }

    // ── Residuals and blocks ─────────────────────────────────────────────────────

    private GenItem? Residual(int[] shape, int depth)
    {
        var body = new List<GenItem>();
        int n = R(1, 3);
        for (int i = 0; i < n; i++)
        {
            var part = Preserving(shape, depth + 1);
            if (part is null) return null;
            body.AddRange(part);
        }
        Cover("residual");
        if (depth > 0) Cover("residual.nested");
        return new GenResidual { Body = body, Output = shape, Inline = body.Count <= 3 && P(0.3) };
    }

    /// <summary>Layers that end in the shape they start with (a residual body).</summary>
    private List<GenItem>? Preserving(int[] shape, int depth)
    {
        double r = _rng.NextDouble();
        if (shape.Length == 3)
        {
            int c = shape[0];
            if (r < 0.25)
            {
                // conv(C, kernel: k, padding: same | d(k−1)/2), odd k so that explicit padding exists.
                int kh = Pick(new[] { 1, 3, 5 }), kw = P(0.7) ? kh : Pick(new[] { 1, 3, 5 });
                if (!ZeroInPairs && (kh == 1) != (kw == 1)) kw = kh;
                int d = P(0.2) ? 2 : 1;
                var given = new List<GenArg> { A("filters", IntText(c)), A("kernel", kh == kw ? kh.ToString(CultureInfo.InvariantCulture) : $"{kh}x{kw}") };
                JsonNode padding;
                if (P(0.4)) { given.Add(A("padding", "same")); padding = "same"; }
                else
                {
                    int ph = d * (kh - 1) / 2, pw = d * (kw - 1) / 2;
                    given.Add(A("padding", PairText(ph, pw)));
                    padding = Arr(ph, pw);
                }
                if (d > 1) given.Add(A("dilation", d.ToString(CultureInfo.InvariantCulture)));
                if (shape[1] + (padding is JsonArray ? 2 * (d * (kh - 1) / 2) : d * (kh - 1)) < d * (kh - 1) + 1) return null;
                var spec = new JsonObject { ["filters"] = c, ["kernel"] = Arr(kh, kw), ["stride"] = Arr(1, 1), ["padding"] = padding, ["dilation"] = Arr(d, d), ["bias"] = true };
                return [Layer("conv", shape, spec, ConvSignature, given)];
            }
            if (r < 0.32)
            {
                int k = Pick(new[] { 1, 3, 5 });
                int p = (k - 1) / 2;
                if (shape[1] + 2 * p < 1) return null;
                var given = new List<GenArg> { A("filters", IntText(c)), A("kernel", k.ToString(CultureInfo.InvariantCulture)), A("padding", p.ToString(CultureInfo.InvariantCulture)) };
                var spec = new JsonObject { ["filters"] = c, ["kernel"] = Arr(k, k), ["stride"] = Arr(1, 1), ["padding"] = Arr(p, p), ["output_padding"] = Arr(0, 0), ["dilation"] = Arr(1, 1), ["bias"] = true };
                return [Layer("deconv", shape, spec, DeconvSignature, given)];
            }
            if (r < 0.4)
            {
                string kind = P(0.5) ? "max" : "avg";
                bool three = shape[1] >= 1 && P(0.7);
                var given = new List<GenArg> { A("kind", kind), A("size", three ? "3" : "1") };
                if (three) { given.Add(A("stride", "1")); given.Add(A("padding", "1")); }
                int k = three ? 3 : 1, p = three ? 1 : 0;
                var spec = new JsonObject { ["pool"] = kind, ["size"] = Arr(k, k), ["stride"] = Arr(1, 1), ["padding"] = Arr(p, p) };
                return [Layer("pool", shape, spec, PoolSignature, given)];
            }
            if (r < 0.5)
            {
                // Widen and come back: conv(m, kernel: 1) -> act -> conv(C, kernel: 1)
                int m = R(1, 12);
                var a = Layer("conv", [m, shape[1], shape[2]],
                    new JsonObject { ["filters"] = m, ["kernel"] = Arr(1, 1), ["stride"] = Arr(1, 1), ["padding"] = Arr(0, 0), ["dilation"] = Arr(1, 1), ["bias"] = true },
                    ConvSignature, [A("filters", IntText(m)), A("kernel", "1")]);
                var act = Activation(a.Output);
                var b = Layer("conv", shape,
                    new JsonObject { ["filters"] = c, ["kernel"] = Arr(1, 1), ["stride"] = Arr(1, 1), ["padding"] = Arr(0, 0), ["dilation"] = Arr(1, 1), ["bias"] = false },
                    ConvSignature, [A("filters", IntText(c)), A("kernel", "1x1"), A("bias", "false")]);
                return [a, act, b];
            }
            if (r < 0.54)
                return [Layer("upsample", shape, new JsonObject { ["scale"] = Arr(1, 1), ["mode"] = "nearest" }, ["scale", "mode"], [A("scale", "1")])];
        }
        else if (shape.Length == 1)
        {
            int n = shape[0];
            if (r < 0.3) return [Dense(shape, n)!];
            if (r < 0.45)
            {
                var a = Dense(shape)!;
                var act = Activation(a.Output);
                return [a, act, Dense(act.Output, n)!];
            }
            if (r < 0.52 && n >= 4)
            {
                // Round trip through an image: reshape(CxHxW) -> conv same -> flatten
                var squares = Enumerable.Range(2, 10).Where(s => n % (s * s) == 0).ToList();
                if (squares.Count > 0)
                {
                    int s = Pick(squares), ch = n / (s * s);
                    var reshape = Layer("reshape", [ch, s, s], new JsonObject { ["shape"] = Arr(ch, s, s) }, ["shape"], [A("shape", $"{ch}x{s}x{s}")]);
                    var conv = Layer("conv", [ch, s, s],
                        new JsonObject { ["filters"] = ch, ["kernel"] = Arr(3, 3), ["stride"] = Arr(1, 1), ["padding"] = "same", ["dilation"] = Arr(1, 1), ["bias"] = true },
                        ConvSignature, [A("filters", IntText(ch)), A("kernel", "3"), A("padding", "same")]);
                    var flat = Layer("flatten", [n], new JsonObject(), [], []);
                    return [reshape, conv, flat];
                }
            }
        }
        if (r > 0.9 && depth < 2)
        {
            var inner = Residual(shape, depth);
            return inner is null ? null : [inner];
        }
        if (r > 0.8 && depth < 2)
        {
            // A shape-preserving block: reuse one if it fits, else make one.
            var reuse = _blocks.FirstOrDefault(b => b.Input.SequenceEqual(shape) && b.Output.SequenceEqual(shape));
            if (reuse is not null) return [UseOf(reuse, shape)];
            var parts = Preserving(shape, depth + 1);
            return parts is null ? null : [MakeBlock(parts, shape, depth)];
        }
        if (r > 0.75) return [Dropout(shape)];
        if (r > 0.65 && BatchNorm(shape) is { } bn) return [bn];
        return [Activation(shape)];
    }

    private GenItem? BlockUse(int[] shape, int depth)
    {
        var reusable = _blocks.Where(b => b.Input.SequenceEqual(shape)).ToList();
        if (reusable.Count > 0 && P(0.5))
        {
            Cover("block.reused");
            return UseOf(Pick(reusable), shape);
        }
        var body = new List<GenItem>();
        var current = shape;
        int n = R(1, 4);
        for (int i = 0; i < n; i++)
        {
            var item = NextItem(current, depth + 1);
            body.Add(item);
            current = item.Output;
        }
        return MakeBlock(body, shape, depth);
    }

    private static readonly string[] ParamNames = ["filters", "k", "step", "pad", "units", "rate", "width", "n", "alpha", "size_", "f2", "how"];

    /// <summary>Turns a stack into a block declaration, replacing some argument values with parameters, and returns its first use.</summary>
    private GenBlockUse MakeBlock(List<GenItem> body, int[] input, int depth)
    {
        var candidates = new List<GenArg>();
        void Collect(List<GenItem> items)
        {
            foreach (var item in items)
            {
                switch (item)
                {
                    case GenLayer l: candidates.AddRange(l.Args.Where(a => a.Param is null)); break;
                    case GenResidual r: Collect(r.Body); break;
                    case GenBlockUse u: candidates.AddRange(u.Args.Where(a => a.Param is null)); break;
                }
            }
        }
        Collect(body);
        var parameters = new List<string>();
        var values = new List<string>();
        foreach (var arg in candidates.OrderBy(_ => _rng.Next()))
        {
            if (arg.Param is not null || parameters.Count >= 4 || !P(0.45)) continue;
            string name = Pick(ParamNames) + (_paramCounter++ % 7 == 0 ? "" : (_paramCounter).ToString(CultureInfo.InvariantCulture));
            if (parameters.Contains(name)) continue;
            parameters.Add(name);
            values.Add(arg.Text);
            arg.Param = name;
            // The same value elsewhere may share the parameter (conv(f) -> conv(f)).
            foreach (var other in candidates.Where(o => o != arg && o.Param is null && o.Text == arg.Text && P(0.5)))
                other.Param = name;
        }
        var block = new GenBlock
        {
            Name = $"{Pick(new[] { "Block", "Stage", "Unit", "Cell" })}{_blockCounter++}",
            Parameters = parameters, Values = values, Body = body, Input = input,
            Output = body.Count == 0 ? input : body[^1].Output,
            EmptyParens = parameters.Count == 0 && P(0.3),
        };
        _blocks.Add(block);
        Cover("block");
        if (parameters.Count > 0) Cover("block.params");
        if (depth > 0) Cover("block.nested");
        return UseOf(block, input);
    }

    private GenBlockUse UseOf(GenBlock block, int[] input)
    {
        var given = block.Parameters.Select((p, i) => A(p, block.Values[i])).ToList();
        var args = Arrange(block.Parameters.ToArray(), given);
        return new GenBlockUse { Block = block, Args = args, Output = block.Output, Parens = given.Count > 0 || P(0.3) };
    }

    // ── Rendering ────────────────────────────────────────────────────────────────

    private string Separator(string indent, bool inline)
    {
        if (inline) return P(0.7) ? " -> " : " ";
        double r = _rng.NextDouble();
        string comment = P(0.08) ? "   # " + Pick(new[] { "shape check", "->  16x5x5", "residual { (", "note: x * y" }) : "";
        if (r < 0.7) return comment + "\n" + (P(0.05) ? "\n" : "") + indent;
        if (r < 0.85) return " -> ";
        if (r < 0.9) return "->";
        return comment + "\n" + indent + "-> ";
    }

    private void RenderItem(StringBuilder sb, GenItem item, string indent)
    {
        switch (item)
        {
            case GenLayer l:
                sb.Append(l.Kind);
                if (l.Args.Count > 0 || l.Parens) RenderArgs(sb, l.Args);
                break;
            case GenBlockUse u:
                sb.Append(u.Block.Name);
                if (u.Args.Count > 0 || u.Parens) RenderArgs(sb, u.Args);
                break;
            case GenResidual r:
                sb.Append("residual {");
                if (r.Inline)
                {
                    sb.Append(' ');
                    for (int i = 0; i < r.Body.Count; i++)
                    {
                        if (i > 0) sb.Append(Separator("", inline: true));
                        RenderItem(sb, r.Body[i], indent);
                    }
                    sb.Append(" }");
                }
                else
                {
                    string inner = indent + "    ";
                    sb.Append('\n').Append(inner);
                    for (int i = 0; i < r.Body.Count; i++)
                    {
                        if (i > 0) sb.Append(Separator(inner, inline: false));
                        RenderItem(sb, r.Body[i], inner);
                    }
                    sb.Append('\n').Append(indent).Append('}');
                }
                break;
        }
    }

    private void RenderArgs(StringBuilder sb, List<GenArg> args)
    {
        sb.Append('(');
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            bool name = a.Positional && (char.IsAsciiLetter(a.Written[0]) || a.Written[0] == '_');
            if (i > 0) sb.Append(P(0.05) && (NameOnContinuationLine || !name) ? ",\n        " : P(0.1) ? "," : ", ");
            if (!a.Positional) sb.Append(a.Name).Append(P(0.1) ? " : " : ColonWithoutSpace && P(0.15) ? ":" : ": ");
            sb.Append(a.Written);
        }
        if (args.Count > 0 && P(0.03)) sb.Append(',');
        sb.Append(')');
    }

    private void RenderBlocks(StringBuilder sb)
    {
        foreach (var block in _blocks)
        {
            sb.Append("block ").Append(block.Name);
            if (block.Parameters.Count > 0) sb.Append('(').Append(string.Join(", ", block.Parameters)).Append(')');
            else if (block.EmptyParens) sb.Append("()");
            sb.Append(" {\n    ");
            for (int i = 0; i < block.Body.Count; i++)
            {
                if (i > 0) sb.Append(Separator("    ", inline: false));
                RenderItem(sb, block.Body[i], "    ");
            }
            sb.Append("\n}\n\n");
        }
    }
}
