using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

/// <summary>Parameter and mult-add arithmetic that saturates at long.MaxValue instead of throwing or wrapping; the checker reports a count that reaches it as ANN3013.</summary>
public static class Counts
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    // Fixed-arity forms: the checker multiplies on every layer, and `params` would allocate each time.
    public static long Multiply(long a, long b)
    {
        long r = 1;
        return Step(ref r, a) && Step(ref r, b) ? r : long.MaxValue;
    }

    public static long Multiply(long a, long b, long c)
    {
        long r = 1;
        return Step(ref r, a) && Step(ref r, b) && Step(ref r, c) ? r : long.MaxValue;
    }

    public static long Multiply(long a, long b, long c, long d)
    {
        long r = 1;
        return Step(ref r, a) && Step(ref r, b) && Step(ref r, c) && Step(ref r, d) ? r : long.MaxValue;
    }

    private static bool Step(ref long r, long x)
    {
        if (x != 0 && r > long.MaxValue / Math.Abs(x)) return false;
        r *= x;
        return true;
    }

    public static long Multiply(params long[] xs)
    {
        long r = 1;
        foreach (var x in xs)
            if (!Step(ref r, x)) return long.MaxValue;
        return r;
    }

    /// <summary>An indexed loop, not LINQ: the checker sums every residual and block use of every analysis.</summary>
    public static long Sum<T>(IReadOnlyList<T> items, Func<T, long> selector)
    {
        long total = 0;
        for (int i = 0; i < items.Count; i++) total = Add(total, selector(items[i]));
        return total;
    }
}

/// <summary>A (height, width) pair: kernel, stride, padding, pool size, scale.</summary>
public readonly record struct Pair(int H, int W)
{
    public override string ToString() => H == W ? H.ToString() : $"{H}x{W}";
}

/// <summary>
/// One concrete layer of a checked network, after blocks are expanded and every argument is resolved
/// (defaults filled in, block parameters substituted). This is what the trainer builds modules from;
/// it never recomputes shapes: <see cref="Input"/> and <see cref="Output"/> are the checker's.
/// </summary>
public sealed class LayerInstance
{
    public required string Kind { get; init; }              // "conv", "dense", "relu", "residual" …
    /// <summary>The catalogue entry of <see cref="Kind"/> (null for residual).</summary>
    internal LayerInfo? Info { get; init; }
    public required Shape Input { get; init; }
    public required Shape Output { get; init; }
    /// <summary>Resolved arguments by catalogue name: int, double, bool, string (enum word), Pair, Shape.</summary>
    public required IReadOnlyDictionary<string, object> Arguments { get; init; }
    public long Parameters { get; init; }
    public long MultiplyAdds { get; init; }
    /// <summary>The layer's text in the document (inside a block body when expanded from a block).</summary>
    public TextSpan Span { get; init; }
    /// <summary>Where a block was used, for layers expanded from one (the outermost use).</summary>
    public TextSpan? UseSite { get; init; }
    /// <summary>For "residual": the inner stack.</summary>
    public IReadOnlyList<LayerInstance> Body { get => _graph?.Body ?? []; init => (_graph ??= new()).Body = value; }
    /// <summary>For "residual": the shortcut chain of `residual(shortcut: …)`; empty for the identity.</summary>
    public IReadOnlyList<LayerInstance> Shortcut { get => _graph?.Shortcut ?? []; init => (_graph ??= new()).Shortcut = value; }
    /// <summary>For the merges "concat" and "add": the tensors combined with the running one, in argument order.</summary>
    public IReadOnlyList<MergeBranch> Branches { get => _graph?.Branches ?? []; init => (_graph ??= new()).Branches = value; }

    /// <summary>A residual's or a merge's parts, in an object of their own: most layers have none (and a big document has tens of thousands of layers).</summary>
    private GraphParts? _graph;

    private sealed class GraphParts
    {
        public IReadOnlyList<LayerInstance> Body = [];
        public IReadOnlyList<LayerInstance> Shortcut = [];
        public IReadOnlyList<MergeBranch> Branches = [];
    }
    /// <summary>The name `as NAME` gives this layer's output, or null (set by the checker when it reaches the `as`).</summary>
    public string? TensorName { get; internal set; }
    /// <summary>The formula that produced <see cref="Output"/>, for hover ("H' = ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28").</summary>
    public string? Formula => Kind switch
    {
        "residual" => Shortcut.Count > 0 ? ResidualWithShortcutFormula : ResidualFormula,
        "concat" or "add" => MergeFormula(Kind, Input, Branches.Select(b => b.Output).ToList(), Output),
        _ => KindInfo?.Formula(Input, Output, Arguments),
    };
    internal const string ResidualFormula = "output = input + body(input)";
    internal const string ResidualWithShortcutFormula = "output = body(input) + shortcut(input)";

    /// <summary>"C = 64 + 64 = 128" for a concat of images, "N = 10 + 5 = 15" of vectors; "output = input + e1" shapes for add.</summary>
    internal static string? MergeFormula(string kind, Shape input, IReadOnlyList<Shape> others, Shape output)
    {
        if (!input.IsKnown || !output.IsKnown || others.Any(o => !o.IsKnown)) return null;
        if (kind == "add") return $"{output} = {string.Join(" + ", others.Prepend(input))}";
        string axis = input.Rank == 1 ? "N" : "C";
        return $"{axis} = {string.Join(" + ", others.Prepend(input).Select(s => s[0]))} = {output[0]}";
    }
    /// <summary>The layer's label in summaries and the network view ("conv(6, 5)"); the kind for residual.</summary>
    public string Label => KindInfo?.Label(Arguments)
        ?? (Branches.Count > 0 ? $"{Kind}({string.Join(", ", Branches.Select(b => b.Chain.Count == 0 ? b.Source.Name : b.Source.Name + " → …"))})" : Kind);
    /// <summary>The network view's category of the layer: its kind's ("convolution", "activation" …), "residual" for residual.</summary>
    public string Category => KindInfo?.CategoryName ?? Kind;
    /// <summary>The kind's definition; looked up by name for layers built outside the checker.</summary>
    private LayerInfo? KindInfo => Info ?? LayerCatalog.Find(Kind);

    public int Int(string name) => Convert.ToInt32(Arguments[name]);
    public double Number(string name) => Convert.ToDouble(Arguments[name]);
    public bool Bool(string name) => (bool)Arguments[name];
    public string Word(string name) => (string)Arguments[name];
    public Pair PairOf(string name) => (Pair)Arguments[name];
    public Shape ShapeOf(string name) => (Shape)Arguments[name];
    public bool Has(string name) => Arguments.ContainsKey(name);

    public override string ToString() => $"{Kind} {Input} → {Output}";
}

/// <summary>Where a named tensor comes from: the network's input, a layer's output, or a denoiser's `time`.</summary>
public enum TensorSourceKind { Input, Layer, Time }

/// <summary>A tensor a merge reads: <see cref="Producer"/> is the layer whose output it is (null for the input and `time`).</summary>
public sealed record TensorSource(TensorSourceKind Kind, LayerInstance? Producer, string Name, Shape Shape, TextSpan DefinedAt);

/// <summary>One argument of `concat(…)`/`add(…)`: a named tensor and the chain applied to it (empty for a bare name).</summary>
public sealed record MergeBranch(TensorSource Source, IReadOnlyList<LayerInstance> Chain, TextSpan Span)
{
    public Shape Output => Chain.Count == 0 ? Source.Shape : Chain[^1].Output;
}

/// <summary>A checked `network`: its input shape and flat list of layers (the input layer excluded).</summary>
public sealed class NetworkModel
{
    public required string Name { get; init; }
    public required Shape Input { get; init; }
    public required IReadOnlyList<LayerInstance> Layers { get; init; }
    public NetworkDeclarationSyntax? Syntax { get; init; }
    /// <summary>The length of `time` when this network is a diffusion denoiser, else null.</summary>
    public int? TimeEmbedding { get; init; }
    private NetworkGraph? _graph;
    /// <summary>The network as one graph of nodes in execution order: what summaries, the network view, the trainer and the exporter read.</summary>
    public NetworkGraph Graph => _graph ??= NetworkGraph.From(this);
    public Shape Output => Layers.Count == 0 ? Input : Layers[^1].Output;
    public long Parameters => Counts.Sum(Layers, l => l.Parameters);
    public long MultiplyAdds => Counts.Sum(Layers, l => l.MultiplyAdds);
    /// <summary>True when every layer's shape is known and the network has no errors of its own.</summary>
    public bool IsValid { get; init; }
    /// <summary>Last layer is softmax (classifier) or sigmoid (discriminator): the trainer drops it and uses the with-logits loss.</summary>
    public string? TrailingActivation => Layers.Count > 0 && Layers[^1].Kind is "softmax" or "sigmoid" ? Layers[^1].Kind : null;
}

public sealed class GanModel
{
    public required string Name { get; init; }
    public required NetworkModel? Generator { get; init; }
    public required NetworkModel? Discriminator { get; init; }
    public GanDeclarationSyntax? Syntax { get; init; }
    /// <summary>The generator takes an image (pix2pix): it is trained on pairs, and the discriminator sees the input beside the image.</summary>
    public bool Conditional { get; init; }
    /// <summary>Conditional gans: λ of loss_G = BCE + λ·L1 (`l1:`, default 100).</summary>
    public double L1Weight { get; init; } = 100;
    /// <summary>What one logit of the discriminator sees, when its output is a map of patch logits (or one logit of a conditional gan); else null.</summary>
    public ReceptiveField? DiscriminatorPatch { get; init; }
}

/// <summary>A checked `diffusion`: its denoiser, noise schedule, sampler, time embedding and EMA (defaults filled in).</summary>
public sealed class DiffusionModel
{
    public const int DefaultSteps = 1000;
    public const double DefaultBetaStart = 1e-4, DefaultBetaEnd = 0.02;
    public const int DefaultTimeEmbedding = 128;
    public const double DefaultEma = 0.999;
    public static readonly DiffusionSampler DefaultSampler = DiffusionSampler.Ddim(50);
    /// <summary>The values of `predict:`: what the denoiser's output is trained to be.</summary>
    public const string PredictNoise = "noise", PredictVelocity = "velocity", PredictImage = "image";

    public required string Name { get; init; }
    public required NetworkModel? Denoiser { get; init; }
    public required DiffusionSchedule Schedule { get; init; }
    /// <summary>What previews, scores and `annlsp sample` draw with (unless `--sampler` says otherwise).</summary>
    public DiffusionSampler Sampler { get; init; } = DefaultSampler;
    /// <summary>The length of the sinusoidal embedding of the step: the denoiser's `time`.</summary>
    public int TimeEmbedding { get; init; } = DefaultTimeEmbedding;
    /// <summary>Decay of the exponential moving average of the weights that sampling uses (0: the trained weights themselves).</summary>
    public double Ema { get; init; } = DefaultEma;
    /// <summary>
    /// What the denoiser is trained to output: the noise ε (Ho et al. 2020), the velocity v = √ᾱ·ε − √(1 − ᾱ)·x₀
    /// (Salimans &amp; Ho 2022) or the clean image x₀. Samplers turn each into x̂₀ and ε̂ (<see cref="PredictNoise"/>…).
    /// </summary>
    public string Prediction { get; init; } = PredictNoise;
    public DiffusionDeclarationSyntax? Syntax { get; init; }
}

/// <summary>
/// The square of input pixels one output value depends on (<see cref="Size"/>), and how far apart neighbouring
/// outputs' squares start (<see cref="Stride"/>), in input pixels. Computed from the network's graph.
/// </summary>
public sealed record ReceptiveField(int Size, int Stride);

/// <summary>
/// A data set reference with its arguments resolved: `fashion_mnist`, `mnist("dir")`, `images("d", size: 64x64, channels: 3)`.
/// Paired data sets (`edges(…)`, `pairs(…)`) have an <see cref="Input"/>; <see cref="Shape"/> is then the target's.
/// </summary>
public sealed record DataSetRef(string Name, string? Directory, Shape Shape, int Classes, IReadOnlyList<string> ClassNames)
{
    /// <summary>Paired data sets: the input image's shape; null for data sets of images alone.</summary>
    public Shape? Input { get; init; }
    /// <summary>`edges(DATASET, …)`: the data set whose images are the targets.</summary>
    public DataSetRef? Source { get; init; }
    /// <summary>`pairs(…)`: AtoB (the left half is the input) or BtoA.</summary>
    public string Direction { get; init; } = "AtoB";
    public bool IsPaired => Input is not null;
    /// <summary>How messages and the run name the data set: "edges(fashion_mnist)".</summary>
    public string Display => Source is null ? Name : $"{Name}({Source.Display})";
}

public sealed record OptimizerConfig(string Name, double LearningRate, double Beta1, double Beta2, double WeightDecay, double Momentum, bool Nesterov);

/// <summary>Pix2Pix: a gan whose generator takes an image, trained on pairs; Diffusion: a `diffusion` declaration.</summary>
public enum TrainKind { Classifier, Gan, Pix2Pix, Diffusion }

/// <summary>A `train` declaration with every property resolved (defaults filled in).</summary>
public sealed class TrainConfig
{
    public required string Target { get; init; }
    /// <summary>The `as name` of a named train block, else null.</summary>
    public string? RunName { get; init; }
    public required TrainKind Kind { get; init; }
    public NetworkModel? Network { get; init; }           // Classifier
    public GanModel? Gan { get; init; }                   // Gan, Pix2Pix
    public DiffusionModel? Diffusion { get; init; }       // Diffusion
    public required DataSetRef Data { get; init; }
    public int Epochs { get; init; } = 5;
    public int Batch { get; init; } = 64;
    public required OptimizerConfig Optimizer { get; init; }
    /// <summary>"constant", "cosine" or "onecycle": the learning rate over the run's steps.</summary>
    public string Schedule { get; init; } = "constant";
    /// <summary>Classifiers: cross-entropy against targets smoothed by this much (0: none).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Each training image mirrored left-right with probability ½ at every step.</summary>
    public bool RandomFlip { get; init; }
    /// <summary>Each training image moved by up to this many pixels in each direction at every step (0: not moved).</summary>
    public int RandomShift { get; init; }
    public string Loss { get; init; } = "cross_entropy";
    public string Device { get; init; } = "auto";
    public int? Seed { get; init; }
    public Pair Preview { get; init; } = new(8, 8);
    /// <summary>Fraction of the training data held out, or null with <see cref="ValidateOnTest"/>.</summary>
    public double? ValidateFraction { get; init; }
    public bool ValidateOnTest { get; init; } = true;
    public int CheckpointEvery { get; init; } = 1;
    /// <summary>GANs and diffusion models: samples scored by the data set's reference classifier after every epoch (0: no scoring).</summary>
    public int ScoreSamples { get; init; } = 1000;
    public string? Out { get; init; }
    public TrainDeclarationSyntax? Syntax { get; init; }
    /// <summary>"LeNet5" or "LeNet5 as quick": how commands and run folders name this training.</summary>
    public string DisplayName => RunName is null ? Target : $"{Target} as {RunName}";

    /// <summary>The same training of <paramref name="network"/> on <paramref name="data"/> (the trainer's reference classifier of edges(…) targets).</summary>
    public TrainConfig WithClassifier(NetworkModel network, DataSetRef data) => new()
    {
        Target = Target, RunName = RunName, Kind = TrainKind.Classifier, Network = network, Data = data, Epochs = Epochs, Batch = Batch,
        Optimizer = Optimizer, Schedule = Schedule, LabelSmoothing = LabelSmoothing, Loss = Loss, Device = Device, Seed = Seed, Preview = Preview,
        ValidateFraction = ValidateFraction, ValidateOnTest = ValidateOnTest, CheckpointEvery = CheckpointEvery, ScoreSamples = ScoreSamples,
        Out = Out, Syntax = Syntax,
    };
}
