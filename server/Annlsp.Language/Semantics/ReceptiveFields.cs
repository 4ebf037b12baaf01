namespace Annlsp.Language.Semantics;

/// <summary>
/// Which square of a network's input one output value depends on, walked over the graph in execution order:
/// a window of k (dilation d) grows the field by (d(k−1))·jump and multiplies the jump by its stride; a transposed
/// convolution or an upsample divides the jump; a merge sees the widest of its inputs. A layer that mixes every
/// position (flatten, dense, reshape, globalpool) makes the field the whole input.
/// </summary>
public static class ReceptiveFields
{
    public static ReceptiveField? Of(NetworkModel network)
    {
        if (!network.Input.IsImage) return null;
        int whole = (int)Math.Min(network.Input[1], int.MaxValue);
        var graph = network.Graph;
        var size = new double[graph.Nodes.Count];
        var jump = new double[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Inputs.Count == 0) { size[node.Id] = 1; jump[node.Id] = 1; continue; }
            int first = node.Inputs[0];
            double r = node.Inputs.Max(i => size[i]), j = jump[first];
            var layer = node.Layer;
            switch (node.Kind)
            {
                case "conv" or "pool":
                {
                    var k = layer!.PairOf(node.Kind == "conv" ? "kernel" : "size").H;
                    int d = layer.Has("dilation") ? layer.PairOf("dilation").H : 1;
                    r += d * (k - 1) * j;
                    j *= layer.PairOf("stride").H;
                    break;
                }
                case "deconv":
                {
                    var k = layer!.PairOf("kernel").H;
                    int d = layer.PairOf("dilation").H;
                    j /= layer.PairOf("stride").H;
                    r += d * (k - 1) * j;
                    break;
                }
                case "upsample":
                    j /= layer!.PairOf("scale").H;
                    break;
                case "flatten" or "dense" or "reshape" or "globalpool":
                    r = whole; j = whole;
                    break;
            }
            size[node.Id] = r;
            jump[node.Id] = j;
        }
        int output = graph.OutputId;
        return new ReceptiveField((int)Math.Min(Math.Ceiling(size[output] - 1e-9), int.MaxValue), Math.Max(1, (int)Math.Round(jump[output])));
    }
}
