using System.Globalization;
using System.Text;

namespace Annlsp.Language.Semantics;

/// <summary>A Keras-`summary()`-style view of a network; shared by `annlsp summary` and hover.</summary>
public static class SummaryTable
{
    /// <param name="Role">null on the main line and in a residual's body; "shortcut" in a residual's shortcut; the tensor's name in a merge's chain</param>
    /// <param name="StartsChain">the first row of a shortcut or merge chain: it reads <see cref="Role"/>'s tensor, not the row above</param>
    public sealed record Row(int Depth, LayerInstance Layer, string? Role = null, bool StartsChain = false);

    /// <summary>
    /// Rows in order, indented under their residual or merge: a residual's body, then its shortcut chain; a merge's
    /// argument chains.
    /// </summary>
    public static IEnumerable<Row> Rows(NetworkModel network)
    {
        var stack = new Stack<(IReadOnlyList<LayerInstance> List, int Index, int Depth, string? Role)>();
        stack.Push((network.Layers, 0, 0, null));
        while (stack.Count > 0)
        {
            var (list, index, depth, role) = stack.Pop();
            if (index >= list.Count) continue;
            var layer = list[index];
            stack.Push((list, index + 1, depth, role));
            yield return new Row(depth, layer, role, role is not null && index == 0);
            // Pushed last first: the body comes out before the shortcut, the first branch before the second.
            for (int b = layer.Branches.Count - 1; b >= 0; b--)
                if (layer.Branches[b].Chain.Count > 0) stack.Push((layer.Branches[b].Chain, 0, depth + 1, layer.Branches[b].Source.Name));
            if (layer.Shortcut.Count > 0) stack.Push((layer.Shortcut, 0, depth + 1, "shortcut"));
            if (layer.Body.Count > 0) stack.Push((layer.Body, 0, depth + 1, null));
        }
    }

    public static string Describe(LayerInstance layer)
    {
        var args = layer.Arguments.Count == 0 ? "" : "(" + string.Join(", ", layer.Arguments.Select(kv => $"{kv.Key}: {Format(kv.Value)}")) + ")";
        return layer.Kind + args;
    }

    /// <summary>The layer's label: its kind's (LayerKinds/), "conv(6, 5)", "dense(120)", "relu".</summary>
    public static string Short(LayerInstance layer) => layer.Label;

    private static string Format(object o) => o switch
    {
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Shape s => string.Join("x", s.Dims),
        _ => o.ToString() ?? "",
    };

    /// <summary>Counts saturate at long.MaxValue (<see cref="Counts"/>): shown as what they are, more than 64 bits hold.</summary>
    private const string Saturated = "> 9.2 × 10^18";

    public static string Number(long n) => n == long.MaxValue ? Saturated : n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"0.42 M" style for mult-adds.</summary>
    public static string Compact(long n) => n switch
    {
        long.MaxValue => Saturated,
        >= 1_000_000_000 => (n / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + " G",
        >= 1_000_000 => (n / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly string[] Header = ["Layer", "Output shape", "Params", "Mult-adds", "Inputs"];

    /// <summary>
    /// Where a row's inputs come from when it is not simply the row above: each tensor a merge combines, the two
    /// sides a residual adds, the tensor a chain starts at. Null for the other rows.
    /// </summary>
    /// <param name="lineOf">the 1-based line of a position, to say where an unnamed input is made; null to leave lines out</param>
    public static string? Inputs(NetworkModel network, Row row, Func<int, int>? lineOf = null)
    {
        var layer = row.Layer;
        if (row.StartsChain)
            return row.Role == "shortcut" ? "the residual's input" : row.Role;
        if (layer.Kind == "residual")
            return layer.Shortcut.Count > 0 ? "body + shortcut" : "body + the residual's input";
        if (layer.Kind is not ("concat" or "add")) return null;
        var graph = network.Graph;
        var node = graph.Nodes.FirstOrDefault(n => ReferenceEquals(n.Layer, layer));
        if (node is null) return null;
        return string.Join(", ", node.Inputs.Select(i => Describe(graph.Nodes[i], lineOf)));
    }

    /// <summary>"e3 (line 11)", "input", "time", "deconv(256, 4) line 12".</summary>
    private static string Describe(GraphNode node, Func<int, int>? lineOf)
    {
        if (node.Layer is null) return node.Name ?? node.Kind;
        if (lineOf is null) return node.Name ?? node.Layer.Label;
        int line = lineOf((node.Layer.UseSite ?? node.Layer.Span).Start);
        return node.Name is { } name ? $"{name} (line {line})" : $"{node.Layer.Label} line {line}";
    }

    public static string ToText(NetworkModel network, Func<int, int>? lineOf = null)
    {
        var rows = new List<string[]> { Header };
        rows.Add(["input", network.Input.ToString(), "0", "0", ""]);
        foreach (var row in Rows(network))
            rows.Add([new string(' ', 2 * row.Depth) + Short(row.Layer), row.Layer.Output.ToString(), Number(row.Layer.Parameters), Number(row.Layer.MultiplyAdds),
                Inputs(network, row, lineOf) is { } inputs ? "← " + inputs : ""]);
        // A plain stack has no inputs to show: its table keeps four columns.
        bool showInputs = rows.Skip(1).Any(r => r[4].Length > 0);
        int[] widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        if (!showInputs) widths[4] = 0;
        var sb = new StringBuilder();
        sb.AppendLine($"Network: {network.Name}");
        string rule = new('─', widths.Take(4).Sum() + 6 + (showInputs ? 2 + widths[4] : 0));
        for (int r = 0; r < rows.Count; r++)
        {
            var cells = rows[r];
            sb.AppendLine(($"{cells[0].PadRight(widths[0])}  {cells[1].PadRight(widths[1])}  {cells[2].PadLeft(widths[2])}  {cells[3].PadLeft(widths[3])}"
                           + (showInputs ? "  " + cells[4] : "")).TrimEnd());
            if (r == 0) sb.AppendLine(rule);
        }
        sb.AppendLine(rule);
        sb.AppendLine($"Total params: {Number(network.Parameters)}");
        sb.AppendLine($"Total mult-adds: {Number(network.MultiplyAdds)} ({Compact(network.MultiplyAdds)})");
        return sb.ToString();
    }

    public static string ToMarkdown(NetworkModel network)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"**network {network.Name}** — {Number(network.Parameters)} params · {Compact(network.MultiplyAdds)} mult-adds");
        sb.AppendLine();
        sb.AppendLine("| Layer | Output shape | Params | Mult-adds |");
        sb.AppendLine("|---|---|--:|--:|");
        sb.AppendLine($"| input | {network.Input} | 0 | 0 |");
        foreach (var row in Rows(network))
            sb.AppendLine($"| {new string(' ', 0)}{(row.Depth > 0 ? new string('·', 2 * row.Depth) + " " : "")}`{Short(row.Layer)}` | {row.Layer.Output} | {Number(row.Layer.Parameters)} | {Number(row.Layer.MultiplyAdds)} |");
        sb.AppendLine($"| **Total** | | **{Number(network.Parameters)}** | **{Number(network.MultiplyAdds)}** |");
        return sb.ToString();
    }
}
