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

    /// <summary>The module of one layer: its kind's builder (<see cref="LayerBuilders"/>), or a residual of its body.</summary>
    public static nn.Module<Tensor, Tensor> BuildLayer(LayerInstance l, string where)
    {
        if (l.Kind == "residual") return new Residual(BuildSequential(l.Body, where + " (residual)"));
        if (!LayerBuilders.ByKind.TryGetValue(l.Kind, out var build))
            throw new TrainingException($"{where}: layer '{l.Kind}' is not supported by the trainer");
        return build(l);
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
