namespace Annlsp.Language.Semantics;

public enum ParameterType
{
    Int,        // 6
    Number,     // 0.5, 1e-3 (ints accepted)
    Bool,       // true / false
    IntOrPair,  // 5 or 5x3 (height x width)
    Shape,      // 1x28x28 or 100
    Enum,       // one of EnumValues
    Padding,    // int, HxW, same or valid
    String,     // "dir"
}

/// <summary>One parameter of a layer, data set or optimizer signature.</summary>
public sealed record ParameterInfo(
    string Name,
    ParameterType Type,
    object? Default,
    string Documentation,
    string[]? EnumValues = null,
    double? Min = null,
    bool MinExclusive = false,
    double? Max = null,
    bool MaxExclusive = false)
{
    public bool IsRequired => Default is null && !DefaultsToOther;
    /// <summary>The default is another parameter's value (pool's stride defaults to its size).</summary>
    public string? DefaultFrom { get; init; }
    private bool DefaultsToOther => DefaultFrom is not null;

    public string TypeDisplay => Type switch
    {
        ParameterType.Int => "int",
        ParameterType.Number => "number",
        ParameterType.Bool => "bool",
        ParameterType.IntOrPair => "int | HxW",
        ParameterType.Shape => "shape",
        ParameterType.Enum => string.Join(" | ", EnumValues ?? []),
        ParameterType.Padding => "int | HxW | same | valid",
        ParameterType.String => "string",
        _ => Type.ToString(),
    };

    public string DefaultDisplay => DefaultFrom is not null ? DefaultFrom : Default switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => FormatNumber(d),
        Pair p => p.ToString(),
        _ => Default.ToString() ?? "",
    };

    /// <summary>`kernel: int | HxW`, `stride: int | HxW = 1`, or `dir?: string` (optional, no default).</summary>
    public string Label => IsRequired ? $"{Name}: {TypeDisplay}"
        : Default is "" ? $"{Name}?: {TypeDisplay}"
        : $"{Name}: {TypeDisplay} = {DefaultDisplay}";

    /// <summary>Numbers as a user would write them: 0.5, 1e-5, 0.999.</summary>
    public static string FormatNumber(double d) =>
        d != 0 && Math.Abs(d) < 1e-3
            ? d.ToString("0.###e-0", System.Globalization.CultureInfo.InvariantCulture)
            : d.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
}

public enum LayerCategory { Input, Convolution, Pooling, Reshaping, Dense, Activation, Normalization, Regularization }

/// <summary>What a layer accepts as its input: any shape, only a vector N, or only an image C×H×W.</summary>
public enum InputKind { Any, Vector, Image }

/// <summary>A built-in layer: its parameters (positional order), documentation and shape rule.</summary>
public sealed record LayerInfo(
    string Name,
    LayerCategory Category,
    ParameterInfo[] Parameters,
    string Documentation,
    string ShapeRule,
    string PyTorch)
{
    public bool IsActivation => Category == LayerCategory.Activation;
    /// <summary>The input the layer needs; the checker reports any other (ANN3001, ANN3002), completion ranks by it.</summary>
    public InputKind Needs { get; init; } = InputKind.Any;
    /// <summary>Activations, normalisation and dropout pass their input's shape on unchanged.</summary>
    public bool KeepsShape => Category is LayerCategory.Activation or LayerCategory.Normalization or LayerCategory.Regularization;
    /// <summary>True when an input of this shape is one the layer accepts.</summary>
    public bool Accepts(Shape input) => Needs switch
    {
        InputKind.Vector => input.IsVector,
        InputKind.Image => input.IsImage,
        _ => true,
    };
    public string Signature => Parameters.Length == 0 ? Name : $"{Name}({string.Join(", ", Parameters.Select(p => p.Label))})";
    public ParameterInfo? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>The built-in layer catalogue: the one place that says which layers exist and what they take.</summary>
public static class LayerCatalog
{
    private static ParameterInfo P(string name, ParameterType type, object? def, string doc, string[]? values = null,
        double? min = null, bool minExclusive = false, double? max = null, bool maxExclusive = false) =>
        new(name, type, def, doc, values, min, minExclusive, max, maxExclusive);

    private static readonly ParameterInfo Bias = P("bias", ParameterType.Bool, true, "Learn an additive bias.");

    public static IReadOnlyList<LayerInfo> All { get; } =
    [
        new("input", LayerCategory.Input,
            [P("shape", ParameterType.Shape, null, "The shape of one example without the batch dimension: C×H×W for images, N for vectors.")],
            "The network's input. Must be the first layer of a `network`.", "— → shape", "(none)"),
        new("conv", LayerCategory.Convolution,
            [
                P("filters", ParameterType.Int, null, "Number of output channels (filters).", min: 1),
                P("kernel", ParameterType.IntOrPair, null, "Kernel size: an int or HxW.", min: 1),
                P("stride", ParameterType.IntOrPair, new Pair(1, 1), "Step between kernel positions.", min: 1),
                P("padding", ParameterType.Padding, new Pair(0, 0), "Zeros added on each side: an int, HxW, `same` (keeps H×W; stride 1 only) or `valid` (0).", min: 0),
                P("dilation", ParameterType.IntOrPair, new Pair(1, 1), "Spacing between kernel elements.", min: 1),
                Bias,
            ],
            "2-d convolution over a C×H×W image.",
            "C×H×W → F×H'×W', H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1", "nn.Conv2d") { Needs = InputKind.Image },
        new("deconv", LayerCategory.Convolution,
            [
                P("filters", ParameterType.Int, null, "Number of output channels.", min: 1),
                P("kernel", ParameterType.IntOrPair, null, "Kernel size: an int or HxW.", min: 1),
                P("stride", ParameterType.IntOrPair, new Pair(1, 1), "Upsampling step.", min: 1),
                P("padding", ParameterType.IntOrPair, new Pair(0, 0), "Implicit zero padding removed from each side of the output.", min: 0),
                P("output_padding", ParameterType.IntOrPair, new Pair(0, 0), "Extra size added to one side of the output (must be smaller than stride or dilation).", min: 0),
                P("dilation", ParameterType.IntOrPair, new Pair(1, 1), "Spacing between kernel elements.", min: 1),
                Bias,
            ],
            "Transposed 2-d convolution (\"deconvolution\"): learns to upsample.",
            "C×H×W → F×H'×W', H' = (H−1)s − 2p + d(k−1) + output_padding + 1", "nn.ConvTranspose2d") { Needs = InputKind.Image },
        new("pool", LayerCategory.Pooling,
            [
                P("kind", ParameterType.Enum, null, "`max` or `avg`.", ["max", "avg"]),
                P("size", ParameterType.IntOrPair, null, "Window size.", min: 1),
                P("stride", ParameterType.IntOrPair, null, "Step between windows (defaults to size).", min: 1) with { DefaultFrom = "size" },
                P("padding", ParameterType.IntOrPair, new Pair(0, 0), "Padding on each side (at most half the window).", min: 0),
            ],
            "2-d max or average pooling.", "C×H×W → C×H'×W', H' = ⌊(H + 2p − k)/s⌋ + 1", "nn.MaxPool2d / nn.AvgPool2d") { Needs = InputKind.Image },
        new("globalpool", LayerCategory.Pooling,
            [P("kind", ParameterType.Enum, "avg", "`avg` or `max`.", ["avg", "max"])],
            "Pools each channel to one value.", "C×H×W → C", "nn.AdaptiveAvgPool2d(1) + flatten") { Needs = InputKind.Image },
        new("upsample", LayerCategory.Reshaping,
            [
                P("scale", ParameterType.IntOrPair, new Pair(2, 2), "Scale factor.", min: 1),
                P("mode", ParameterType.Enum, "nearest", "`nearest` or `bilinear`.", ["nearest", "bilinear"]),
            ],
            "Upsamples an image by an integer factor.", "C×H×W → C×sH×sW", "nn.Upsample") { Needs = InputKind.Image },
        new("flatten", LayerCategory.Reshaping, [], "Flattens any shape into a vector.", "any → N (product of dims)", "nn.Flatten"),
        new("reshape", LayerCategory.Reshaping,
            [P("shape", ParameterType.Shape, null, "The new shape; its element count must equal the input's.")],
            "Reshapes without changing the elements.", "any → shape", "nn.Unflatten / view"),
        new("dense", LayerCategory.Dense,
            [P("units", ParameterType.Int, null, "Number of outputs.", min: 1), Bias],
            "Fully connected layer.", "N → units", "nn.Linear") { Needs = InputKind.Vector },
        new("relu", LayerCategory.Activation, [], "Rectified linear unit: max(0, x).", "unchanged", "nn.ReLU"),
        new("sigmoid", LayerCategory.Activation, [], "Logistic sigmoid: 1/(1+e^−x).", "unchanged", "nn.Sigmoid"),
        new("tanh", LayerCategory.Activation, [], "Hyperbolic tangent; outputs in [−1, 1] (the usual generator output).", "unchanged", "nn.Tanh"),
        new("gelu", LayerCategory.Activation, [], "Gaussian error linear unit.", "unchanged", "nn.GELU"),
        new("elu", LayerCategory.Activation,
            [P("alpha", ParameterType.Number, 1.0, "Scale of the negative part: alpha·(e^x − 1) for x < 0.", min: 0)],
            "Exponential linear unit: x for x > 0, alpha·(e^x − 1) otherwise; smooth and with mean activations nearer 0 than ReLU.", "unchanged", "nn.ELU"),
        new("leakyrelu", LayerCategory.Activation,
            [P("slope", ParameterType.Number, 0.01, "Slope for x < 0.")],
            "Leaky ReLU: x for x ≥ 0, slope·x otherwise.", "unchanged", "nn.LeakyReLU"),
        new("softmax", LayerCategory.Activation, [],
            "Softmax over the last axis of a vector (over channels of an image). A classifier ending in softmax is trained on the logits before it with cross-entropy, so softmax is never applied twice.",
            "unchanged", "nn.Softmax"),
        new("dropout", LayerCategory.Regularization,
            [P("p", ParameterType.Number, 0.5, "Probability of zeroing an element, in [0, 1).", min: 0, max: 1, maxExclusive: true)],
            "Randomly zeroes elements during training.", "unchanged", "nn.Dropout"),
        new("batchnorm", LayerCategory.Normalization,
            [
                P("momentum", ParameterType.Number, 0.1, "Running statistics momentum.", min: 0, max: 1),
                P("eps", ParameterType.Number, 1e-5, "Added to the variance for stability.", min: 0, minExclusive: true),
            ],
            "Batch normalisation: 1-d for vectors, 2-d (per channel) for images.", "unchanged", "nn.BatchNorm1d / nn.BatchNorm2d"),
    ];

    private static readonly Dictionary<string, LayerInfo> ByName = All.ToDictionary(l => l.Name);

    public static LayerInfo? Find(string name) => ByName.GetValueOrDefault(name);
}

/// <summary>A data set the trainer knows, with the shape and classes the checker compares against.</summary>
public sealed record DataSetInfo(string Name, ParameterInfo[] Parameters, Shape? FixedShape, int Classes, string[] ClassNames, string Documentation)
{
    public string Signature => Parameters.Length == 0 ? Name : $"{Name}({string.Join(", ", Parameters.Select(p => p.Label))})";
}

public sealed record OptimizerInfo(string Name, ParameterInfo[] Parameters, string Documentation)
{
    public string Signature => $"{Name}({string.Join(", ", Parameters.Select(p => p.Label))})";
}

public sealed record PropertyInfo(string Name, string Values, string Documentation);

public static class TrainingCatalog
{
    public static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    public static readonly string[] DigitClasses = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    public static readonly string[] CifarClasses =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
    public static readonly string[] ShapeClasses = ["circle", "square", "triangle", "cross"];

    private static ParameterInfo Dir(bool required) =>
        new("dir", ParameterType.String, required ? null : "", "Folder holding the files.");

    public static IReadOnlyList<DataSetInfo> DataSets { get; } =
    [
        new("fashion_mnist", [Dir(false)], Shape.Image(1, 28, 28), 10, FashionClasses,
            "Fashion-MNIST: 70,000 28×28 grey images of clothing in 10 classes. Read from the IDX files of Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist) unless a folder is given."),
        new("mnist", [Dir(true)], Shape.Image(1, 28, 28), 10, DigitClasses, "MNIST hand-written digits (IDX files in the folder)."),
        new("cifar10", [Dir(true)], Shape.Image(3, 32, 32), 10, CifarClasses, "CIFAR-10 (the binary version) in the folder: 60,000 32×32 colour images in 10 classes."),
        new("images",
            [
                Dir(true),
                new("size", ParameterType.IntOrPair, null, "Images are resized to H×W."),
                new("channels", ParameterType.Int, 1, "1 (grey) or 3 (colour).", Min: 1, Max: 3),
            ],
            null, 0, [], "A class-per-subfolder tree of images (PNG, JPEG, BMP); class names are the subfolder names."),
        new("shapes", [], Shape.Image(1, 28, 28), 4, ShapeClasses,
            "A generated data set that needs no files: 28×28 grey drawings of circles, squares, triangles and crosses."),
    ];

    public static IReadOnlyList<OptimizerInfo> Optimizers { get; } =
    [
        new("adam",
            [
                new("lr", ParameterType.Number, 1e-3, "Learning rate (> 0).", Min: 0, MinExclusive: true),
                new("beta1", ParameterType.Number, 0.9, "First-moment decay, in [0, 1).", Min: 0, Max: 1, MaxExclusive: true),
                new("beta2", ParameterType.Number, 0.999, "Second-moment decay, in [0, 1).", Min: 0, Max: 1, MaxExclusive: true),
                new("weight_decay", ParameterType.Number, 0.0, "L2 penalty (≥ 0).", Min: 0),
            ], "Adam (Kingma & Ba)."),
        new("sgd",
            [
                new("lr", ParameterType.Number, 0.01, "Learning rate (> 0).", Min: 0, MinExclusive: true),
                new("momentum", ParameterType.Number, 0.0, "Momentum, in [0, 1).", Min: 0, Max: 1, MaxExclusive: true),
                new("nesterov", ParameterType.Bool, false, "Nesterov momentum."),
                new("weight_decay", ParameterType.Number, 0.0, "L2 penalty (≥ 0).", Min: 0),
            ], "Stochastic gradient descent."),
    ];

    public static IReadOnlyList<PropertyInfo> TrainProperties { get; } =
    [
        new("data", "fashion_mnist | mnist(\"dir\") | cifar10(\"dir\") | images(\"dir\", size: HxW, channels: 1|3) | shapes", "The data set to train on."),
        new("epochs", "int (5)", "Passes over the training data."),
        new("batch", "int (64)", "Examples per step."),
        new("optimizer", "adam(lr, beta1, beta2, weight_decay) | sgd(lr, momentum, nesterov, weight_decay)", "How weights are updated (default adam(lr: 1e-3))."),
        new("schedule", "constant | cosine | onecycle", "How the learning rate changes over the run: constant (the default), cosine (decays to 0 by the last step) or onecycle (warms up over the first 30 %, then decays)."),
        new("label_smoothing", "number (0)", "Classifiers: the target puts this much probability evenly on all classes (0 ≤ value < 1; 0.1 is usual)."),
        new("loss", "cross_entropy | bce", "cross_entropy for classifiers, bce for GANs (the defaults)."),
        new("device", "auto | cpu | cuda | cuda:N", "auto picks CUDA when a GPU is available, else the CPU."),
        new("seed", "int", "The same seed gives the same run on the CPU."),
        new("preview", "RxC", "Sample grid shown after each epoch (GAN 8x8)."),
        new("validate", "fraction | test", "Fraction of the training data held out, or the test set (default)."),
        new("checkpoint", "int (1)", "Write a checkpoint every N epochs; the last one is always kept."),
        new("out", "\"path\"", "Run folder, inside the workspace (default runs/<target>/<time>)."),
        new("score_samples", "int (1000)", "GANs: how many samples the data set's reference classifier scores after every epoch (FD, confident, coverage); 0 turns scoring off."),
    ];

    /// <summary>The values of `schedule:` and what each does: the checker accepts these, completion offers them.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> Schedules { get; } =
    [
        ("constant", "the optimizer's lr throughout"),
        ("cosine", "decays from the optimizer's lr to 0 by the last step"),
        ("onecycle", "warms up from lr/25 over the first 30 % of the steps, then decays to 0"),
    ];

    /// <summary>The values of `loss:`: the checker accepts these, completion offers them.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> Losses { get; } =
    [
        ("cross_entropy", "for classifiers (trained on the logits before a final softmax)"),
        ("bce", "binary cross-entropy with logits, for GANs"),
    ];

    /// <summary>The values completion offers for `device:`; the checker accepts `cuda:N` for every N.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> Devices { get; } =
    [
        ("auto", "CUDA when a GPU is available, else the CPU"),
        ("cpu", "the CPU"),
        ("cuda", "the first GPU"),
        ("cuda:0", "GPU number N"),
    ];

    public static IReadOnlyList<PropertyInfo> GanProperties { get; } =
    [
        new("generator", "network name", "Maps a latent vector to an image."),
        new("discriminator", "network name", "Maps an image to one logit: real or fake."),
    ];

    public static DataSetInfo? FindDataSet(string name) => DataSets.FirstOrDefault(d => d.Name == name);
    public static OptimizerInfo? FindOptimizer(string name) => Optimizers.FirstOrDefault(o => o.Name == name);
}
