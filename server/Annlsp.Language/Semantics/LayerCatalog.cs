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
    DataSet,    // fashion_mnist, images("dir", …): a data set inside another (edges)
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
        ParameterType.DataSet => "data set",
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

/// <summary>
/// A built-in layer kind, defined once (in the spirit of ONNX's OpSchema): its parameters (positional order) and
/// documentation, its shape rule with parameters and mult-adds, the formula hover shows, its summary label and its
/// category. Each kind's definition lives in its own file under LayerKinds/; <see cref="LayerCatalog"/> lists them.
/// </summary>
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

    /// <summary>Output shape, parameters and mult-adds, as PyTorch defines them; the default passes the shape on at no cost.</summary>
    internal LayerKinds.ShapeRule Rule { get; init; } = static c => new LayerKinds.ShapeResult(c.Input);
    internal LayerKinds.FormulaRule? FormulaRule { get; init; }
    internal LayerKinds.LabelRule? LabelRule { get; init; }

    /// <summary>The formula behind a layer's output or counts, as hover shows it ("H' = ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28"); null when there is none.</summary>
    /// <remarks>Derived on demand from the checker's results, so analysis on every keystroke does no string formatting for it.</remarks>
    public string? Formula(Shape input, Shape output, IReadOnlyDictionary<string, object> arguments) =>
        FormulaRule is not null && input.IsKnown && output.IsKnown ? FormulaRule(input, output, arguments) : null;

    /// <summary>The layer's label in summaries and the network view: "conv(6, 5)", "dense(120)", "relu".</summary>
    public string Label(IReadOnlyDictionary<string, object> arguments) => LabelRule?.Invoke(arguments) ?? Name;

    /// <summary>The category's name as the network view receives it: "convolution", "activation" …</summary>
    public string CategoryName => Category.ToString().ToLowerInvariant();
}

/// <summary>The built-in layer catalogue: the one place that says which layers exist. Each entry is defined in LayerKinds/.</summary>
public static class LayerCatalog
{
    public static IReadOnlyList<LayerInfo> All { get; } =
    [
        LayerKinds.Input.Definition,
        LayerKinds.Conv.Definition,
        LayerKinds.Deconv.Definition,
        LayerKinds.Pool.Definition,
        LayerKinds.GlobalPool.Definition,
        LayerKinds.Upsample.Definition,
        LayerKinds.Flatten.Definition,
        LayerKinds.Reshape.Definition,
        LayerKinds.Pad.Definition,
        LayerKinds.Dense.Definition,
        LayerKinds.Activations.Relu,
        LayerKinds.Activations.Sigmoid,
        LayerKinds.Activations.Tanh,
        LayerKinds.Activations.Gelu,
        LayerKinds.Activations.Elu,
        LayerKinds.Activations.LeakyRelu,
        LayerKinds.Activations.Silu,
        LayerKinds.Activations.Relu6,
        LayerKinds.Activations.Softmax,
        LayerKinds.Dropout.Definition,
        LayerKinds.BatchNorm.Definition,
        LayerKinds.GroupNorm.Definition,
        LayerKinds.InstanceNorm.Definition,
        LayerKinds.MinibatchStd.Definition,
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
        new("edges",
            [
                new("data", ParameterType.DataSet, null, "The image data set whose images are the targets."),
                new("size", ParameterType.IntOrPair, null, "Images are resized to H×W before the edges are found."),
            ],
            null, 0, [], "Pairs for a conditional gan: each image of the data set (resized) is the target, its edge map the input — 1 channel, white edges on black: the Sobel gradient magnitude of the grey image, thresholded at a quarter of the strongest gradient in that image."),
        new("pairs",
            [
                Dir(true),
                new("size", ParameterType.IntOrPair, null, "Each half is resized to H×W."),
                new("channels", ParameterType.Int, 3, "1 (grey) or 3 (colour).", Min: 1, Max: 3),
                new("direction", ParameterType.Enum, "AtoB", "`AtoB`: the left half is the input; `BtoA`: the right half is.", ["AtoB", "BtoA"]),
            ],
            null, 0, [], "pix2pix's own format: each image holds the input and the target side by side (A left, B right); `train/` and `val/` or `test/` subfolders are the splits."),
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
        new("data", "fashion_mnist | mnist(\"dir\") | cifar10(\"dir\") | images(\"dir\", size: HxW, channels: 1|3) | shapes | edges(DATASET, size: HxW) | pairs(\"dir\", size: HxW, channels: 1|3, direction: AtoB|BtoA)", "The data set to train on."),
        new("epochs", "int (5)", "Passes over the training data."),
        new("batch", "int (64)", "Examples per step."),
        new("optimizer", "adam(lr, beta1, beta2, weight_decay) | sgd(lr, momentum, nesterov, weight_decay)", "How weights are updated (default adam(lr: 1e-3))."),
        new("schedule", "constant | cosine | onecycle", "How the learning rate changes over the run: constant (the default), cosine (decays to 0 by the last step) or onecycle (warms up over the first 30 %, then decays)."),
        new("label_smoothing", "number (0)", "Classifiers: the target puts this much probability evenly on all classes (0 ≤ value < 1; 0.1 is usual)."),
        new("random_flip", "bool (false)", "Mirror each training image left-right with probability ½, drawn anew at every step (never the test or held-out images; a pix2pix pair is mirrored together)."),
        new("random_shift", "int (0)", "Move each training image by up to this many pixels down or up and right or left, the uncovered border black (torchvision's RandomCrop with this padding), drawn anew at every step; 2 is usual for 28×28 images."),
        new("loss", "cross_entropy | bce | mse", "cross_entropy for classifiers, bce for GANs, mse for diffusion models (the defaults)."),
        new("device", "auto | cpu | cuda | cuda:N", "auto picks CUDA when a GPU is available, else the CPU."),
        new("seed", "int", "The same seed gives the same run on the CPU."),
        new("preview", "RxC", "Sample grid shown after each epoch (GANs and diffusion models 8x8)."),
        new("validate", "fraction | test", "Fraction of the training data held out, or the test set (default)."),
        new("checkpoint", "int (1)", "Write a checkpoint every N epochs; the last one is always kept."),
        new("out", "\"path\"", "Run folder, inside the workspace (default runs/<target>/<time>)."),
        new("score_samples", "int (1000)", "GANs (1000) and diffusion models (256): how many samples the data set's reference classifier scores after every epoch (FD, confident, coverage); 0 turns scoring off."),
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
        ("mse", "mean squared error between the predicted and the true noise, for diffusion models"),
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
        new("generator", "network name", "Maps a latent vector to an image, or (pix2pix) an image to an image."),
        new("discriminator", "network name", "Maps an image to one logit: real or fake (for a generator that takes an image: the input beside the image, to one logit or a 1×N×N map of patch logits)."),
        new("l1", "number ≥ 0 (100)", "Gans whose generator takes an image (pix2pix): the weight λ of the L1 term, loss_G = BCE + λ·|G(x) − y|."),
    ];

    public static IReadOnlyList<PropertyInfo> DiffusionProperties { get; } =
    [
        new("denoiser", "network name", "Maps a noisy image C×H×W (and `time`, the step) to the noise in it, C×H×W (or to what `predict:` names)."),
        new("steps", "int (1000)", "T: the number of noise steps, 2 to 100000."),
        new("schedule", "linear | cosine", "How β grows over the steps: linear from beta_start to beta_end (Ho et al. 2020, the default), or cosine (Nichol & Dhariwal 2021)."),
        new("beta_start", "number (1e-4)", "The linear schedule's β at step 1 (0 < beta_start ≤ beta_end < 1)."),
        new("beta_end", "number (0.02)", "The linear schedule's β at step T."),
        new("sampler", "ddpm | ddim(n)", "How previews, scores and `annlsp sample` draw: ddpm (all T steps, with noise) or ddim(n) (n steps, deterministic; default ddim(50))."),
        new("time_embed", "int (128)", "The length of `time`, the sinusoidal embedding of the step the denoiser sees (at least 2)."),
        new("ema", "number (0.999)", "Decay of the moving average of the weights that sampling uses, 0 ≤ ema < 1 (0: the trained weights)."),
        new("predict", "noise | velocity | image", "What the denoiser is trained to output: the noise ε (Ho et al. 2020, the default), the velocity v = √ᾱ·ε − √(1 − ᾱ)·x₀ (Salimans & Ho 2022) or the clean image x₀."),
    ];

    /// <summary>The values of a diffusion's `predict:`.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> Predictions { get; } =
    [
        ("noise", "the noise ε in x_t, trained with the plain MSE (Ho et al. 2020)"),
        ("velocity", "v = √ᾱ·ε − √(1 − ᾱ)·x₀ (Salimans & Ho 2022): the image at high noise, the noise at low noise; stays well-conditioned where √ᾱ is near 0, so the first steps of a cosine schedule draw a sensible image"),
        ("image", "the clean image x₀ itself"),
    ];

    /// <summary>The values of a diffusion's `schedule:`.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> NoiseSchedules { get; } =
    [
        ("linear", "β evenly spaced from beta_start to beta_end (Ho et al. 2020)"),
        ("cosine", "ᾱ follows a squared cosine (Nichol & Dhariwal 2021); beta_start and beta_end are not used"),
    ];

    /// <summary>The values of a diffusion's `sampler:`.</summary>
    public static IReadOnlyList<(string Name, string Documentation)> Samplers { get; } =
    [
        ("ddpm", "every one of the T steps, adding fresh noise at each (Ho et al. 2020)"),
        ("ddim", "ddim(n): n of the T steps, deterministic given the starting noise (Song et al. 2021)"),
    ];

    public static DataSetInfo? FindDataSet(string name) => DataSets.FirstOrDefault(d => d.Name == name);
    public static OptimizerInfo? FindOptimizer(string name) => Optimizers.FirstOrDefault(o => o.Name == name);
}
