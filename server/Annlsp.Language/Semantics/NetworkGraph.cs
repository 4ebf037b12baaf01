using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

/// <summary>
/// One node of a network's graph. <see cref="Kind"/> is "input", "time", a catalogue kind ("conv" …),
/// "add" (an `add(…)` merge or the join of a `residual`) or "concat". Inputs are node ids, earlier in
/// <see cref="NetworkGraph.Nodes"/>; the first input of a layer or merge is the running tensor.
/// </summary>
public sealed class GraphNode
{
    public required int Id { get; init; }
    public required string Kind { get; init; }
    public required IReadOnlyList<int> Inputs { get; init; }
    /// <summary>The checked layer (for a residual's join: the residual); null for "input" and "time".</summary>
    public LayerInstance? Layer { get; init; }
    public required Shape Output { get; init; }
    /// <summary>
    /// The module path, derived from the source and stable: main-line item i is "layers.i", a residual's
    /// body and shortcut items "K.body.j" / "K.shortcut.j", a merge's argument a, item j "K.branches.a.j".
    /// State-dict keys are this path plus the parameter ("layers.3.body.0.weight") in the trainer and
    /// the exported PyTorch module alike. Empty for "input" and "time".
    /// </summary>
    public required string Key { get; init; }
    /// <summary>The tensor name of this node's output (`as e1`, "time"), or null.</summary>
    public string? Name { get; init; }
    public TextSpan Span { get; init; }
    /// <summary>The node's own parameters: a merge or a residual's join has none (its chains are nodes of their own).</summary>
    public long Parameters => Layer is null || IsJoin ? 0 : Layer.Parameters;
    public long MultiplyAdds => Layer is null || IsJoin ? 0 : Layer.MultiplyAdds;
    private bool IsJoin => Layer!.Kind is "concat" or "add" or "residual";

    public override string ToString() => $"{Id} {Kind}({string.Join(", ", Inputs)}) → {Output}";
}

/// <summary>
/// A network as one graph: nodes in execution order (every input comes before its user), node 0 the
/// input. Built once from the checker's layers; nobody walks syntax a second time.
/// </summary>
public sealed class NetworkGraph
{
    public required IReadOnlyList<GraphNode> Nodes { get; init; }
    /// <summary>The node whose output is the network's output.</summary>
    public required int OutputId { get; init; }
    public GraphNode OutputNode => Nodes[OutputId];
    /// <summary>The id of the "time" node, or null when the network does not use `time`.</summary>
    public int? TimeId { get; init; }

    /// <summary>For each node, the ids of the nodes that read it.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Users()
    {
        var users = Nodes.Select(_ => new List<int>()).ToArray();
        foreach (var n in Nodes) foreach (var i in n.Inputs) users[i].Add(n.Id);
        return users;
    }

    public static NetworkGraph From(NetworkModel network)
    {
        var b = new Builder(network);
        int output = b.Chain(network.Layers, 0, "layers");
        return new NetworkGraph { Nodes = b.Nodes, OutputId = output, TimeId = b.TimeId };
    }

    private sealed class Builder
    {
        public readonly List<GraphNode> Nodes = new();
        public int? TimeId;
        private readonly Dictionary<LayerInstance, int> _nodeOf = new(ReferenceEqualityComparer.Instance);
        private readonly NetworkModel _network;

        public Builder(NetworkModel network)
        {
            _network = network;
            Nodes.Add(new GraphNode { Id = 0, Kind = "input", Inputs = [], Output = network.Input, Key = "", Span = network.Syntax?.Name.Span ?? default });
        }

        /// <summary>Adds a chain of layers reading <paramref name="from"/>; returns the node of its output.</summary>
        public int Chain(IReadOnlyList<LayerInstance> layers, int from, string prefix)
        {
            int current = from;
            for (int i = 0; i < layers.Count; i++) current = Layer(layers[i], current, $"{prefix}.{i}");
            return current;
        }

        private int Layer(LayerInstance l, int from, string key)
        {
            int id;
            switch (l.Kind)
            {
                case "residual":
                {
                    int body = Chain(l.Body, from, key + ".body");
                    int shortcut = Chain(l.Shortcut, from, key + ".shortcut");
                    id = Add("add", [body, shortcut], l, key);
                    break;
                }
                case "concat" or "add" when l.Branches.Count > 0:
                {
                    var inputs = new List<int> { from };
                    for (int a = 0; a < l.Branches.Count; a++)
                        inputs.Add(Chain(l.Branches[a].Chain, Source(l.Branches[a].Source), $"{key}.branches.{a}"));
                    id = Add(l.Kind, inputs, l, key);
                    break;
                }
                default:
                    id = Add(l.Kind, [from], l, key);
                    break;
            }
            _nodeOf[l] = id;
            return id;
        }

        private int Add(string kind, IReadOnlyList<int> inputs, LayerInstance l, string key)
        {
            int id = Nodes.Count;
            Nodes.Add(new GraphNode { Id = id, Kind = kind, Inputs = inputs, Layer = l, Output = l.Output, Key = key, Name = l.TensorName, Span = l.Span });
            return id;
        }

        private int Source(TensorSource source)
        {
            switch (source.Kind)
            {
                case TensorSourceKind.Input: return 0;
                case TensorSourceKind.Time:
                    if (TimeId is null)
                    {
                        TimeId = Nodes.Count;
                        Nodes.Add(new GraphNode { Id = Nodes.Count, Kind = "time", Inputs = [], Output = source.Shape, Key = "", Name = "time", Span = source.DefinedAt });
                    }
                    return TimeId.Value;
                default:
                    // A name always refers backwards, so its producer is already a node.
                    return source.Producer is not null && _nodeOf.TryGetValue(source.Producer, out var id)
                        ? id
                        : throw new InvalidOperationException($"{_network.Name}: tensor '{source.Name}' is used before the layer that produces it");
            }
        }
    }
}
