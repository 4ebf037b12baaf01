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
                    layers = SummaryTable.Rows(n).Select(r => new
                    {
                        kind = r.Layer.Kind,
                        line = analysis.Text.GetPosition(r.Layer.Span.Start).Line + 1,
                        depth = r.Depth,
                        output = r.Layer.Output.Dims,
                        @params = r.Layer.Parameters,
                        macs = r.Layer.MultiplyAdds,
                    }),
                }),
            };
            stdout.WriteLine(JsonConvert.SerializeObject(doc, Formatting.Indented));
        }
        else
        {
            foreach (var n in networks)
            {
                stdout.WriteLine(SummaryTable.ToText(n));
            }
        }
        return analysis.HasErrors ? 1 : 0;
    }
}
