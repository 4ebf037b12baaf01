using System.Text;
using Annlsp.Language.Semantics;

namespace Annlsp.Training.Export;

/// <summary>
/// The body of an exported module's <c>forward</c>: the network's graph in execution order, one statement
/// per node, a local variable per tensor (the tensor's own name where it has one: <c>e1 = …</c>,
/// <c>x = torch.cat([x, e1], 1)</c>). A run of plain layers in one chain is one call of a slice of its
/// Sequential (<c>x = self.layers[0:5](x)</c>); a whole stack is <c>self.layers(x)</c>.
/// </summary>
public static class PythonForward
{
    private static readonly HashSet<string> Reserved =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield", "self", "torch", "nn", "x", "h", "time",
    ];

    /// <summary>The Python expression of the module at a key: "layers.3.body.0" → <c>self.layers[3].body[0]</c>.</summary>
    public static string Module(string key)
    {
        var sb = new StringBuilder("self");
        foreach (var part in key.Split('.'))
            sb.Append(part.Length > 0 && char.IsAsciiDigit(part[0]) ? $"[{part}]" : $".{part}");
        return sb.ToString();
    }

    /// <summary>Appends statements computing node <paramref name="result"/> (and every node before it) and its <c>return</c>.</summary>
    public static void Append(StringBuilder sb, NetworkGraph graph, int result, int indent)
    {
        var pad = new string(' ', indent);
        var nodes = graph.Nodes;
        var users = graph.Users();
        var lastUse = new int[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) lastUse[i] = users[i].Where(u => u <= result).DefaultIfEmpty(-1).Max();
        var variable = new string?[nodes.Count];
        var holder = new Dictionary<string, int>(); // variable → the node whose tensor it holds
        variable[0] = "x";
        holder["x"] = 0;
        if (graph.TimeId is { } t) { variable[t] = "time"; holder["time"] = t; }
        bool Live(string name, int at) => holder.TryGetValue(name, out var n) && (lastUse[n] >= at || n == result);

        for (int id = 1; id <= result; id++)
        {
            var node = nodes[id];
            if (node.Kind == "time") continue;
            // a run of plain layers: each one only feeds the next item of the same chain
            int end = id;
            if (IsLayer(node))
                while (end + 1 <= result && IsLayer(nodes[end + 1]) && nodes[end + 1].Inputs[0] == end && users[end].Count == 1
                       && nodes[end].Name is null && Sibling(nodes[end].Key, nodes[end + 1].Key))
                    end++;
            var last = nodes[end];
            string name = Allocate(last, node, variable, Live, id);
            string expression = node.Kind switch
            {
                "add" => string.Join(" + ", node.Inputs.Select(i => Broadcast(variable[i]!, nodes[i].Output, node.Output))),
                "concat" => $"torch.cat([{string.Join(", ", node.Inputs.Select(i => variable[i]))}], 1)",
                _ => $"{Slice(node.Key, last.Key, end - id + 1, graph)}({variable[node.Inputs[0]]})",
            };
            sb.AppendLine($"{pad}{name} = {expression}");
            variable[end] = name;
            holder[name] = end;
            id = end;
        }
        sb.AppendLine($"{pad}return {variable[result]}");
    }

    private static bool IsLayer(GraphNode node) => node.Kind is not ("input" or "time" or "add" or "concat");

    private static (string Parent, int Index) Split(string key) =>
        key.LastIndexOf('.') is var dot ? (key[..dot], int.Parse(key[(dot + 1)..])) : default;

    private static bool Sibling(string a, string b) => Split(a) is var (pa, ia) && Split(b) is var (pb, ib) && pa == pb && ib == ia + 1;

    /// <summary>The module or slice that runs items first..last of one chain: a whole chain is the Sequential itself.</summary>
    private static string Slice(string first, string last, int count, NetworkGraph graph)
    {
        if (count == 1) return Module(first);
        var (parent, from) = Split(first);
        int to = Split(last).Index + 1;
        int length = graph.Nodes.Count(n => n.Key.StartsWith(parent + ".") && n.Key.IndexOf('.', parent.Length + 1) < 0);
        return from == 0 && to == length ? Module(parent) : $"{Module(parent)}[{from}:{to}]";
    }

    /// <summary>A [batch, C] tensor added to [batch, C, H, W] ones gets one value per channel, over every pixel.</summary>
    private static string Broadcast(string variable, Shape shape, Shape output) =>
        output.IsImage && shape.IsVector ? $"{variable}[:, :, None, None]" : variable;

    /// <summary>
    /// The variable of a statement's result: the tensor's name when it has one; else the variable of an
    /// input read for the last time here (x first); else the first free of x, h, h1, h2 ….
    /// </summary>
    private static string Allocate(GraphNode result, GraphNode first, string?[] variable, Func<string, int, bool> live, int at)
    {
        if (result.Name is { } named)
        {
            var baseName = Reserved.Contains(named) || System.Text.RegularExpressions.Regex.IsMatch(named, @"^h\d+$") ? named + "_" : named;
            var candidate = baseName;
            for (int k = 2; live(candidate, at); k++) candidate = $"{baseName}_{k}";
            return candidate;
        }
        // an input's variable that dies here, x first: the main line stays x
        foreach (var dying in first.Inputs.Select(i => variable[i]!).Where(v => IsPlain(v) && !live(v, at + 1)).OrderBy(v => v == "x" ? 0 : 1))
            return dying;
        foreach (var candidate in Temporaries())
            if (!live(candidate, at)) return candidate;
        throw new InvalidOperationException("unreachable");
    }

    private static bool IsPlain(string variable) => variable == "x" || variable == "h" || System.Text.RegularExpressions.Regex.IsMatch(variable, @"^h\d+$");

    private static IEnumerable<string> Temporaries()
    {
        yield return "x";
        yield return "h";
        for (int k = 1; ; k++) yield return $"h{k}";
    }
}
