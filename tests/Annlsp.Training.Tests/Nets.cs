using Annlsp.Language.Semantics;

namespace Annlsp.Training.Tests;

/// <summary>Hand-built checked networks (shapes written out as the checker would report them).</summary>
internal static class Nets
{
    public static Shape S(params long[] d) => Shape.Of(d);

    /// <summary>A layer with its arguments as the checker resolves them: those given, the catalogue's defaults for the rest.</summary>
    public static LayerInstance L(string kind, Shape input, Shape output, params (string, object)[] args)
    {
        var arguments = args.ToDictionary(a => a.Item1, a => a.Item2);
        foreach (var p in LayerCatalog.Find(kind)?.Parameters ?? [])
            if (!arguments.ContainsKey(p.Name) && (p.DefaultFrom is { } from ? arguments[from] : p.Default) is { } value)
                arguments[p.Name] = value;
        return new LayerInstance { Kind = kind, Input = input, Output = output, Arguments = arguments };
    }

    public static NetworkModel Network(string name, Shape input, params LayerInstance[] layers) => new()
    {
        Name = name, Input = input, Layers = layers, IsValid = true,
    };

    /// <summary>The LeNet5 of language.md (ending in softmax), for 1×28×28 and <paramref name="classes"/> outputs.</summary>
    public static NetworkModel LeNet(int classes = 10, bool softmax = true)
    {
        var layers = new List<LayerInstance>
        {
            L("conv", S(1, 28, 28), S(6, 28, 28), ("filters", 6), ("kernel", new Pair(5, 5)), ("stride", new Pair(1, 1)), ("padding", new Pair(2, 2)), ("dilation", new Pair(1, 1)), ("bias", true)),
            L("relu", S(6, 28, 28), S(6, 28, 28)),
            L("pool", S(6, 28, 28), S(6, 14, 14), ("kind", "max"), ("size", new Pair(2, 2)), ("stride", new Pair(2, 2)), ("padding", new Pair(0, 0))),
            L("conv", S(6, 14, 14), S(16, 10, 10), ("filters", 16), ("kernel", new Pair(5, 5)), ("stride", new Pair(1, 1)), ("padding", new Pair(0, 0)), ("dilation", new Pair(1, 1)), ("bias", true)),
            L("relu", S(16, 10, 10), S(16, 10, 10)),
            L("pool", S(16, 10, 10), S(16, 5, 5), ("kind", "max"), ("size", new Pair(2, 2)), ("stride", new Pair(2, 2)), ("padding", new Pair(0, 0))),
            L("flatten", S(16, 5, 5), S(400)),
            L("dense", S(400), S(120), ("units", 120), ("bias", true)),
            L("relu", S(120), S(120)),
            L("dense", S(120), S(84), ("units", 84), ("bias", true)),
            L("relu", S(84), S(84)),
            L("dense", S(84), S(classes), ("units", classes), ("bias", true)),
        };
        if (softmax) layers.Add(L("softmax", S(classes), S(classes)));
        return Network("LeNet5", S(1, 28, 28), layers.ToArray());
    }

    public static NetworkModel Generator(int latent = 32) => Network("Generator", S(latent),
        L("dense", S(latent), S(64 * 7 * 7), ("units", 64 * 7 * 7), ("bias", true)),
        L("reshape", S(64 * 7 * 7), S(64, 7, 7), ("shape", S(64, 7, 7))),
        L("deconv", S(64, 7, 7), S(32, 14, 14), ("filters", 32), ("kernel", new Pair(4, 4)), ("stride", new Pair(2, 2)), ("padding", new Pair(1, 1)), ("output_padding", new Pair(0, 0)), ("bias", true)),
        L("batchnorm", S(32, 14, 14), S(32, 14, 14), ("momentum", 0.1), ("eps", 1e-5)),
        L("relu", S(32, 14, 14), S(32, 14, 14)),
        L("deconv", S(32, 14, 14), S(1, 28, 28), ("filters", 1), ("kernel", new Pair(4, 4)), ("stride", new Pair(2, 2)), ("padding", new Pair(1, 1)), ("output_padding", new Pair(0, 0)), ("bias", true)),
        L("tanh", S(1, 28, 28), S(1, 28, 28)));

    public static NetworkModel Discriminator() => Network("Discriminator", S(1, 28, 28),
        L("conv", S(1, 28, 28), S(32, 14, 14), ("filters", 32), ("kernel", new Pair(4, 4)), ("stride", new Pair(2, 2)), ("padding", new Pair(1, 1)), ("dilation", new Pair(1, 1)), ("bias", true)),
        L("leakyrelu", S(32, 14, 14), S(32, 14, 14), ("slope", 0.2)),
        L("conv", S(32, 14, 14), S(64, 7, 7), ("filters", 64), ("kernel", new Pair(4, 4)), ("stride", new Pair(2, 2)), ("padding", new Pair(1, 1)), ("dilation", new Pair(1, 1)), ("bias", true)),
        L("batchnorm", S(64, 7, 7), S(64, 7, 7), ("momentum", 0.1), ("eps", 1e-5)),
        L("leakyrelu", S(64, 7, 7), S(64, 7, 7), ("slope", 0.2)),
        L("flatten", S(64, 7, 7), S(64 * 7 * 7)),
        L("dense", S(64 * 7 * 7), S(1), ("units", 1), ("bias", true)),
        L("sigmoid", S(1), S(1)));

    public static DataSetRef Shapes => new("shapes", null, S(1, 28, 28), 4, ["circle", "square", "triangle", "cross"]);
    public static DataSetRef FashionMnist => new("fashion_mnist", null, S(1, 28, 28), 10, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    public static OptimizerConfig Adam(double lr = 1e-3, double beta1 = 0.9) => new("adam", lr, beta1, 0.999, 0, 0, false);
    public static OptimizerConfig Sgd(double lr, double momentum = 0) => new("sgd", lr, 0.9, 0.999, 0, momentum, false);

    public static TrainConfig Classifier(NetworkModel net, DataSetRef data, int epochs = 1, int batch = 64, OptimizerConfig? opt = null, int seed = 1,
        string schedule = "constant", double labelSmoothing = 0, string? @out = null, bool randomFlip = false, int randomShift = 0) => new()
    {
        Target = net.Name, Kind = TrainKind.Classifier, Network = net, Data = data, Epochs = epochs, Batch = batch, Out = @out,
        Optimizer = opt ?? Adam(), Device = "cpu", Seed = seed, Preview = new Pair(4, 4), Schedule = schedule, LabelSmoothing = labelSmoothing,
        RandomFlip = randomFlip, RandomShift = randomShift,
    };

    public static TrainConfig Gan(int epochs = 1, int batch = 64, int seed = 1) => new()
    {
        Target = "ShapesGAN", Kind = TrainKind.Gan,
        Gan = new GanModel { Name = "ShapesGAN", Generator = Generator(), Discriminator = Discriminator() },
        Data = Shapes, Epochs = epochs, Batch = batch, Optimizer = Adam(2e-4, 0.5), Loss = "bce", Device = "cpu", Seed = seed, Preview = new Pair(4, 4),
    };
}
