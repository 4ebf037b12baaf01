using Annlsp.Language.Semantics;
using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>The compiled modules disagree with the checker's shapes: a bug in annlsp, never the user's.</summary>
public sealed class ModelShapeMismatchException(string message) : Exception(message);

/// <summary>
/// Turns a checked <see cref="NetworkModel"/> into one TorchSharp module that runs its
/// <see cref="NetworkModel.Graph"/> (<see cref="AnnNetwork"/>), with PyTorch's layers and default
/// initialisation. Shapes are the checker's business: the builder never computes one, it only verifies,
/// node by node, that what TorchSharp produces equals the checker's <c>Output</c>.
/// </summary>
public static class ModelBuilder
{
    /// <summary>Builds the network (trailing softmax/sigmoid kept aside for prediction) and verifies its shapes on <paramref name="device"/>.</summary>
    public static AnnNetwork Build(NetworkModel network, Device? device = null, bool verify = true)
    {
        if (!network.IsValid && network.Layers.Any(l => !l.Output.IsKnown))
            throw new TrainingException($"network {network.Name} has errors; fix them before training");
        var graph = network.Graph;
        // the trailing softmax/sigmoid is the graph's output node; the logits are what it reads
        int? trailing = network.TrailingActivation is null ? null : graph.OutputId;
        int result = trailing is { } t ? graph.Nodes[t].Inputs[0] : graph.OutputId;
        var root = new ModuleTree("layers");
        var folders = new Dictionary<string, ModuleTree> { ["layers"] = root };
        var steps = new List<AnnNetwork.Step>();
        foreach (var node in graph.Nodes)
        {
            if (node.Kind is "input" or "time" || node.Id == trailing) continue;
            var where = $"{network.Name} {Describe(node.Key)}";
            nn.Module<Tensor, Tensor>? module = null;
            if (node.Kind is not ("add" or "concat"))
            {
                module = BuildLayer(node.Layer!, where);
                int dot = node.Key.LastIndexOf('.');
                Folder(folders, node.Key[..dot]).Add(node.Key[(dot + 1)..], module);
            }
            steps.Add(new AnnNetwork.Step(node, module, node.Inputs.ToArray(), where));
        }
        var model = new AnnNetwork(network.Name, root, steps, graph, result, network.TrailingActivation);
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        if (verify) VerifyShapes(network, model, device ?? CPU);
        return model;
    }

    /// <summary>The container at a module path ("layers.3.body"), created with its parents on first use.</summary>
    private static ModuleTree Folder(Dictionary<string, ModuleTree> folders, string path)
    {
        if (folders.TryGetValue(path, out var folder)) return folder;
        int dot = path.LastIndexOf('.');
        var name = path[(dot + 1)..];
        folder = new ModuleTree(name);
        Folder(folders, path[..dot]).Add(name, folder);
        folders[path] = folder;
        return folder;
    }

    /// <summary>A node's place in the source's terms: "layer 4", "layer 4 body 2", "layer 6 argument 1 item 2".</summary>
    public static string Describe(string key)
    {
        var parts = key.Split('.');
        var text = parts.Length > 1 ? $"layer {int.Parse(parts[1]) + 1}" : key;
        for (int i = 2; i < parts.Length; i++)
        {
            if (parts[i] is "body" or "shortcut" && i + 1 < parts.Length) { text += $" {parts[i]} {int.Parse(parts[i + 1]) + 1}"; i++; }
            else if (parts[i] == "branches" && i + 2 < parts.Length) { text += $" argument {int.Parse(parts[i + 1]) + 1} item {int.Parse(parts[i + 2]) + 1}"; i += 2; }
            else text += "." + parts[i];
        }
        return text;
    }

    /// <summary>The module of one layer: its kind's builder (<see cref="LayerBuilders"/>).</summary>
    public static nn.Module<Tensor, Tensor> BuildLayer(LayerInstance l, string where)
    {
        if (!LayerBuilders.ByKind.TryGetValue(l.Kind, out var build))
            throw new TrainingException($"{where}: layer '{l.Kind}' is not supported by the trainer");
        return build(l);
    }

    /// <summary>
    /// Runs a batch of two zero inputs (and zero time embeddings for a denoiser) through the module
    /// (eval mode, no gradients) and compares every node's output shape with the checker's, the trailing
    /// activation's included. Throws <see cref="ModelShapeMismatchException"/>.
    /// </summary>
    public static void VerifyShapes(NetworkModel network, AnnNetwork model, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var graph = network.Graph;
            var x = zeros([2, .. network.Input.Dims], device: device);
            var time = graph.TimeId is { } t ? zeros([2, .. graph.Nodes[t].Output.Dims], device: device) : null;
            var logits = model.Run(x, time, model.Steps.Count, LogitsId(network), (step, y) => Compare(step.Node, y, step.Where));
            if (network.TrailingActivation is { } trailing)
                Compare(graph.OutputNode, trailing == "softmax" ? logits.softmax(1) : logits.sigmoid(), $"{network.Name} {Describe(graph.OutputNode.Key)}");
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static int LogitsId(NetworkModel network) =>
        network.TrailingActivation is null ? network.Graph.OutputId : network.Graph.OutputNode.Inputs[0];

    private static void Compare(GraphNode node, Tensor x, string where)
    {
        var got = x.shape[1..];
        if (!node.Output.IsKnown || !got.SequenceEqual(node.Output.Dims))
            throw new ModelShapeMismatchException(
                $"internal error: {where} ({node.Kind}, input {Inputs(node)}) produces {string.Join("×", got)} in TorchSharp but the checker says {node.Output}. Please report this.");
    }

    private static string Inputs(GraphNode node) => node.Layer is { } l && node.Kind is not ("add" or "concat") ? l.Input.ToString() : $"nodes {string.Join(", ", node.Inputs)}";
}
