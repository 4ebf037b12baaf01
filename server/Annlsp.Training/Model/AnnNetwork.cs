using Annlsp.Language.Semantics;
using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>
/// A node of the path tree under <c>layers</c>: a module that only holds others, so that a graph node's
/// <see cref="GraphNode.Key"/> ("layers.3.body.0") is its module path and the state-dict prefix of its parameters.
/// </summary>
public sealed class ModuleTree : nn.Module
{
    public ModuleTree(string name) : base(name) { }

    public void Add(string name, nn.Module module) => register_module(name, module);
}

/// <summary>
/// A compiled `network`: the checker's <see cref="NetworkGraph"/> run node by node in its order. Each layer
/// node's module sits at its <see cref="GraphNode.Key"/> under <c>layers</c>, so the state dict's keys are
/// the key plus the parameter (<c>layers.0.weight</c>, <c>layers.3.body.0.weight</c>,
/// <c>layers.5.branches.0.1.weight</c>) — the exported PyTorch module's keys. A trailing softmax/sigmoid is
/// not run by <see cref="forward(Tensor)"/>: training uses the logits with the with-logits loss, and
/// <see cref="Predict"/> applies it. A denoiser (a network that reads `time`) runs with
/// <see cref="forward(Tensor, Tensor)"/>.
/// </summary>
public sealed class AnnNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>One node to run: a layer's module on its input, or a merge of several.</summary>
    internal sealed record Step(GraphNode Node, nn.Module<Tensor, Tensor>? Module, int[] Inputs, string Where);

    private readonly Step[] steps;
    private readonly int nodeCount;
    private readonly int resultId;
    private readonly int? timeId;
    /// <summary>For each node, the last step that reads it: its tensor is freed after that step.</summary>
    private readonly int[] lastUse;

    internal AnnNetwork(string name, ModuleTree layers, IReadOnlyList<Step> steps, NetworkGraph graph, int resultId, string? trailingActivation) : base(name)
    {
        register_module("layers", layers);
        this.steps = steps.ToArray();
        nodeCount = graph.Nodes.Count;
        this.resultId = resultId;
        timeId = graph.TimeId;
        TrailingActivation = trailingActivation;
        lastUse = Enumerable.Repeat(-1, nodeCount).ToArray();
        for (int s = 0; s < this.steps.Length; s++)
            foreach (var i in this.steps[s].Inputs) lastUse[i] = s;
    }

    /// <summary>"softmax", "sigmoid" or null: dropped from <see cref="forward(Tensor)"/>, applied by <see cref="Predict"/>.</summary>
    public string? TrailingActivation { get; }
    /// <summary>True for a denoiser: <see cref="forward(Tensor, Tensor)"/> with the time embedding is the one to call.</summary>
    public bool UsesTime => timeId is not null;
    internal IReadOnlyList<Step> Steps => steps;

    /// <summary>The logits (the network without its trailing softmax/sigmoid).</summary>
    public override Tensor forward(Tensor input)
    {
        if (timeId is not null)
            throw new TrainingException($"network {GetName()} reads `time`: run it with forward(x, time)");
        return Run(input, null, steps.Length, resultId, null);
    }

    /// <summary>A denoiser's output for images <paramref name="input"/> at time embeddings <paramref name="time"/> ([batch, time_embed]).</summary>
    public Tensor forward(Tensor input, Tensor time) => Run(input, time, steps.Length, resultId, null);

    /// <summary>The network as written, trailing activation included.</summary>
    public Tensor Predict(Tensor input)
    {
        var logits = forward(input);
        return TrailingActivation switch
        {
            "softmax" => Apply(logits, l => l.softmax(1)),
            "sigmoid" => Apply(logits, l => l.sigmoid()),
            _ => logits,
        };

        static Tensor Apply(Tensor t, Func<Tensor, Tensor> f) { var r = f(t); t.Dispose(); return r; }
    }

    /// <summary>
    /// The tensor the network's last layer reads (a classifier's penultimate features), and that layer's
    /// module in <see cref="Head"/>: Head(Penultimate(x)) is forward(x).
    /// </summary>
    public Tensor Penultimate(Tensor input)
    {
        var last = LastLayer();
        return Run(input, null, steps.Length - 1, last.Inputs[0], null);
    }

    /// <summary>The module of the network's last layer (before a trailing softmax/sigmoid).</summary>
    public nn.Module<Tensor, Tensor> Head => LastLayer().Module!;

    private Step LastLayer() =>
        steps.Length > 0 && steps[^1] is { Module: not null, Inputs.Length: 1 } last && last.Node.Id == resultId
            ? last
            : throw new TrainingException($"network {GetName()} does not end in a single layer");

    /// <summary>
    /// Runs the first <paramref name="count"/> steps and returns node <paramref name="result"/>'s tensor. Every
    /// other intermediate is disposed right after its last reader. <paramref name="observe"/> sees each
    /// step's output (shape verification).
    /// </summary>
    internal Tensor Run(Tensor input, Tensor? time, int count, int result, Action<Step, Tensor>? observe)
    {
        if (timeId is not null && time is null)
            throw new TrainingException($"network {GetName()} reads `time`: run it with forward(x, time)");
        var values = new Tensor?[nodeCount];
        values[0] = input;
        if (timeId is { } t) values[t] = time;
        try
        {
            for (int s = 0; s < count; s++)
            {
                var step = steps[s];
                var output = Execute(step, values);
                values[step.Node.Id] = output;
                observe?.Invoke(step, output);
                foreach (var i in step.Inputs)
                    if (lastUse[i] == s && i != result) Free(values, i, input, time);
            }
            var r = values[result]!;
            // the caller owns what it gets: never its own input
            return ReferenceEquals(r, input) || ReferenceEquals(r, time) ? r.alias() : r;
        }
        finally
        {
            for (int i = 0; i < values.Length; i++)
                if (i != result) Free(values, i, input, time);
        }
    }

    private static Tensor Execute(Step step, Tensor?[] values)
    {
        var node = step.Node;
        if (step.Module is { } module) return module.forward(values[step.Inputs[0]]!);
        switch (node.Kind)
        {
            case "add":
            {
                var views = new List<Tensor>();
                Tensor Operand(int i)
                {
                    var t = values[i]!;
                    if (!(node.Output.IsImage && t.dim() == 2)) return t;
                    // a [batch, C] tensor added to a [batch, C, H, W] one: one value per channel, over every pixel
                    var v = t.view(t.shape[0], t.shape[1], 1, 1);
                    views.Add(v);
                    return v;
                }
                var sum = Operand(step.Inputs[0]).add(Operand(step.Inputs[1]));
                for (int k = 2; k < step.Inputs.Length; k++)
                {
                    var next = sum.add(Operand(step.Inputs[k]));
                    sum.Dispose();
                    sum = next;
                }
                foreach (var v in views) v.Dispose();
                return sum;
            }
            case "concat":
                return torch.cat(step.Inputs.Select(i => values[i]!).ToArray(), 1);
            default:
                throw new InvalidOperationException($"{step.Where}: no module for {node.Kind}");
        }
    }

    private static void Free(Tensor?[] values, int i, Tensor input, Tensor? time)
    {
        var v = values[i];
        if (v is null) return;
        values[i] = null;
        if (ReferenceEquals(v, input) || ReferenceEquals(v, time)) return;
        // a module may hand back the tensor it was given (an identity): free it once, when no slot holds it
        foreach (var other in values) if (ReferenceEquals(other, v)) return;
        v.Dispose();
    }
}
