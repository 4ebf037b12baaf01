using System.CommandLine;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Newtonsoft.Json;

namespace Annlsp.Cli.Commands;

/// <summary>`annlsp summary FILE [--network NAME] [--format json]`: a Keras-style table per network.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "an .ann file" };
        var network = new Option<string?>("--network") { Description = "only this network" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("summary", "Print each network's layers, output shapes, parameters and mult-adds") { file, network, format };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(network), parse.GetValue(format)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(string path, string? networkName, string format, TextWriter stdout, TextWriter stderr)
    {
        var text = SourceFile.TryRead(path, stderr);
        if (text is null) return 2;
        var analysis = DocumentAnalysis.Analyze(text);
        var networks = analysis.Networks.Values.OrderBy(n => n.Syntax?.Span.Start ?? 0).ToList();
        if (networkName is not null)
        {
            networks = networks.Where(n => n.Name == networkName).ToList();
            if (networks.Count == 0)
            {
                stderr.WriteLine($"annlsp: no network '{networkName}' in '{path}' (networks: {string.Join(", ", analysis.Networks.Keys)})");
                return 2;
            }
        }
        foreach (var d in analysis.Diagnostics.Where(d => d.IsError))
        {
            var p = analysis.Text.GetPosition(d.Span.Start);
            stderr.WriteLine($"{path}({p.Line + 1},{p.Character + 1}): error {d.Code}: {d.Message}");
        }
        int LineOf(int position) => analysis.Text.GetPosition(position).Line + 1;
        if (format == "json")
        {
            var doc = new
            {
                networks = networks.Select(n => new
                {
                    name = n.Name,
                    input = n.Input.Dims,
                    output = n.Output.Dims,
                    @params = n.Parameters,
                    macs = n.MultiplyAdds,
                    layers = SummaryTable.Rows(n).Select(r => LayerJson(n, r, LineOf)),
                }),
            };
            stdout.WriteLine(JsonConvert.SerializeObject(doc, Formatting.Indented));
        }
        else
        {
            foreach (var n in networks)
            {
                stdout.WriteLine(SummaryTable.ToText(n, LineOf));
            }
        }
        return analysis.HasErrors ? 1 : 0;
    }

    /// <summary>
    /// One row: its graph node's id, module key and inputs (node ids: 0 is the input; a merge lists the running tensor
    /// first, then its arguments), the tensor name when named, and what reads where ("e3", "input").
    /// </summary>
    private static Dictionary<string, object?> LayerJson(NetworkModel network, SummaryTable.Row row, Func<int, int> lineOf)
    {
        var node = network.Graph.Nodes.FirstOrDefault(x => ReferenceEquals(x.Layer, row.Layer));
        var json = new Dictionary<string, object?>
        {
            ["kind"] = row.Layer.Kind,
            ["line"] = lineOf(row.Layer.Span.Start),
            ["depth"] = row.Depth,
            ["output"] = row.Layer.Output.Dims,
            ["params"] = row.Layer.Parameters,
            ["macs"] = row.Layer.MultiplyAdds,
            ["id"] = node?.Id,
            ["key"] = node?.Key,
            ["inputs"] = node?.Inputs ?? [],
        };
        if (row.Layer.TensorName is { } name) json["name"] = name;
        if (row.Role is { } role) json["role"] = role == "shortcut" ? "shortcut" : "branch";
        if (SummaryTable.Inputs(network, row, lineOf) is { } from) json["from"] = from;
        return json;
    }
}
