using System.Globalization;
using System.Text;

namespace Annlsp.Language.Semantics;

/// <summary>A Keras-`summary()`-style view of a network; shared by `annlsp summary` and hover.</summary>
public static class SummaryTable
{
    /// <param name="Role">null on the main line and in a residual's body; "shortcut" in a residual's shortcut; the tensor's name in a merge's chain</param>
    public sealed record Row(int Depth, LayerInstance Layer, string? Role = null);

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
            yield return new Row(depth, layer, role);
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

    private static readonly string[] Header = ["Layer", "Output shape", "Params", "Mult-adds"];

    public static string ToText(NetworkModel network)
    {
        var rows = new List<string[]> { Header };
        rows.Add(["input", network.Input.ToString(), "0", "0"]);
        foreach (var row in Rows(network))
            rows.Add([new string(' ', 2 * row.Depth) + Short(row.Layer), row.Layer.Output.ToString(), Number(row.Layer.Parameters), Number(row.Layer.MultiplyAdds)]);
        int[] widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine($"Network: {network.Name}");
        string rule = new('─', widths.Sum() + 6);
        for (int r = 0; r < rows.Count; r++)
        {
            var cells = rows[r];
            sb.AppendLine($"{cells[0].PadRight(widths[0])}  {cells[1].PadRight(widths[1])}  {cells[2].PadLeft(widths[2])}  {cells[3].PadLeft(widths[3])}".TrimEnd());
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
