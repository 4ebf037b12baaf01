using Annlsp.Language.Semantics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>The compiled modules disagree with the checker's shapes: a bug in annlsp, never the user's.</summary>
public sealed class ModelShapeMismatchException(string message) : Exception(message);

/// <summary>
/// Turns a checked <see cref="NetworkModel"/> into TorchSharp modules with PyTorch's layers and default
/// initialisation. Shapes are the checker's business: the builder never computes one, it only verifies,
/// layer by layer, that what TorchSharp produces equals the checker's <c>Output</c>.
/// </summary>
public static class ModelBuilder
{
    /// <summary>Builds the network (trailing softmax/sigmoid kept aside for prediction) and verifies its shapes on <paramref name="device"/>.</summary>
    public static AnnNetwork Build(NetworkModel network, Device? device = null, bool verify = true)
    {
        if (!network.IsValid && network.Layers.Any(l => !l.Output.IsKnown))
            throw new TrainingException($"network {network.Name} has errors; fix them before training");
        var layers = network.Layers;
        string? trailing = network.TrailingActivation;
        var kept = trailing is null ? layers : layers.Take(layers.Count - 1).ToList();
        var seq = BuildSequential(kept, $"{network.Name}");
        var model = new AnnNetwork(network.Name, seq, trailing);
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        if (verify) VerifyShapes(network, model, device ?? CPU);
        return model;
    }

    public static Sequential BuildSequential(IReadOnlyList<LayerInstance> layers, string where)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < layers.Count; i++)
            modules.Add((i.ToString(), BuildLayer(layers[i], $"{where} layer {i + 1}")));
        return nn.Sequential(modules);
    }

    private static (long, long) P(Pair p) => (p.H, p.W);

    private static Pair PairArg(LayerInstance l, string name, int fallback) =>
        l.Has(name) ? l.Arguments[name] switch { Pair p => p, int n => new Pair(n, n), long n => new Pair((int)n, (int)n), var o => throw Bad(l, name, o) } : new Pair(fallback, fallback);

    private static Exception Bad(LayerInstance l, string name, object o) => new ModelShapeMismatchException($"{l.Kind}: argument {name} has an unexpected value {o} ({o.GetType().Name})");

    private static int IntArg(LayerInstance l, string name, int fallback) => l.Has(name) ? l.Int(name) : fallback;
    private static double NumArg(LayerInstance l, string name, double fallback) => l.Has(name) ? l.Number(name) : fallback;
    private static bool BoolArg(LayerInstance l, string name, bool fallback) => l.Has(name) ? l.Bool(name) : fallback;
    private static string WordArg(LayerInstance l, string name, string fallback) => l.Has(name) && l.Arguments[name] is string s ? s : fallback;

    public static nn.Module<Tensor, Tensor> BuildLayer(LayerInstance l, string where)
    {
        var input = l.Input;
        switch (l.Kind)
        {
            case "conv":
            {
                long cin = input[0];
                int filters = IntArg(l, "filters", 0);
                var kernel = PairArg(l, "kernel", 1);
                var stride = PairArg(l, "stride", 1);
                var dilation = PairArg(l, "dilation", 1);
                bool bias = BoolArg(l, "bias", true);
                if (l.Has("padding") && l.Arguments["padding"] is string word)
                {
                    var mode = word == "same" ? Padding.Same : Padding.Valid;
                    return nn.Conv2d(cin, filters, P(kernel), mode, P(stride), P(dilation), bias: bias);
                }
                var padding = PairArg(l, "padding", 0);
                return nn.Conv2d(cin, filters, P(kernel), P(stride), P(padding), P(dilation), bias: bias);
            }
            case "deconv":
            {
                long cin = input[0];
                int filters = IntArg(l, "filters", 0);
                var kernel = PairArg(l, "kernel", 1);
                var stride = PairArg(l, "stride", 1);
                var padding = PairArg(l, "padding", 0);
                var outputPadding = PairArg(l, "output_padding", 0);
                var dilation = PairArg(l, "dilation", 1);
                bool bias = BoolArg(l, "bias", true);
                return nn.ConvTranspose2d(cin, filters, P(kernel), P(stride), P(padding), P(outputPadding), P(dilation), bias: bias);
            }
            case "pool":
            {
                var size = PairArg(l, "size", 2);
                var stride = l.Has("stride") ? PairArg(l, "stride", 1) : size;
                var padding = PairArg(l, "padding", 0);
                return WordArg(l, "kind", "max") == "avg"
                    ? nn.AvgPool2d(P(size), P(stride), P(padding))
                    : nn.MaxPool2d(P(size), P(stride), P(padding));
            }
            case "globalpool": return new GlobalPool(WordArg(l, "kind", "avg") == "max");
            case "upsample":
            {
                var scale = PairArg(l, "scale", 2);
                var mode = WordArg(l, "mode", "nearest") == "bilinear" ? UpsampleMode.Bilinear : UpsampleMode.Nearest;
                return nn.Upsample(scale_factor: [scale.H, scale.W], mode: mode, align_corners: mode == UpsampleMode.Bilinear ? false : null);
            }
            case "flatten": return nn.Flatten();
            case "reshape": return new Reshape(l.Output.Dims.ToArray());
            case "dense": return nn.Linear(input[0], IntArg(l, "units", 0), hasBias: BoolArg(l, "bias", true));
            case "relu": return nn.ReLU();
            case "sigmoid": return nn.Sigmoid();
            case "tanh": return nn.Tanh();
            case "gelu": return nn.GELU();
            case "softmax": return nn.Softmax(1);
            case "elu": return nn.ELU(NumArg(l, "alpha", 1.0));
            case "leakyrelu": return nn.LeakyReLU(NumArg(l, "slope", 0.01));
            case "dropout": return nn.Dropout(NumArg(l, "p", 0.5));
            case "batchnorm":
            {
                double eps = NumArg(l, "eps", 1e-5), momentum = NumArg(l, "momentum", 0.1);
                return input.IsImage ? nn.BatchNorm2d(input[0], eps, momentum) : nn.BatchNorm1d(input[0], eps, momentum);
            }
            case "residual": return new Residual(BuildSequential(l.Body, where + " (residual)"));
            default:
                throw new TrainingException($"{where}: layer '{l.Kind}' is not supported by the trainer");
        }
    }

    /// <summary>
    /// Runs a batch of two zero inputs through the modules, one layer at a time (eval mode, no
    /// gradients), and compares every output shape with the checker's. Throws <see cref="ModelShapeMismatchException"/>.
    /// </summary>
    public static void VerifyShapes(NetworkModel network, AnnNetwork model, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var x = zeros([2, .. network.Input.Dims], device: device);
            var kept = model.Layers.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
            for (int i = 0; i < network.Layers.Count; i++)
            {
                var layer = network.Layers[i];
                if (i < kept.Count)
                {
                    if (layer.Kind == "residual") VerifyResidual(layer, (Residual)kept[i], x, $"{network.Name} layer {i + 1}");
                    x = kept[i].forward(x);
                }
                else x = layer.Kind == "softmax" ? x.softmax(1) : x.sigmoid(); // the trailing activation
                Compare(layer, x, $"{network.Name} layer {i + 1}");
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static void VerifyResidual(LayerInstance layer, Residual module, Tensor x, string where)
    {
        var inner = module.Body.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        for (int j = 0; j < layer.Body.Count; j++)
        {
            if (layer.Body[j].Kind == "residual") VerifyResidual(layer.Body[j], (Residual)inner[j], x, $"{where}.{j + 1}");
            x = inner[j].forward(x);
            Compare(layer.Body[j], x, $"{where}.{j + 1}");
        }
    }

    private static void Compare(LayerInstance layer, Tensor x, string where)
    {
        var got = x.shape[1..];
        if (!layer.Output.IsKnown || !got.SequenceEqual(layer.Output.Dims))
            throw new ModelShapeMismatchException(
                $"internal error: {where} ({layer.Kind}, input {layer.Input}) produces {string.Join("×", got)} in TorchSharp but the checker says {layer.Output}. Please report this.");
    }
}
