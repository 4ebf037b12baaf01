using System.CommandLine;
using Annlsp.Language;
using Annlsp.Language.Diagnostics;
using Newtonsoft.Json;

namespace Annlsp.Cli.Commands;

/// <summary>`annlsp check FILE…`: diagnostics in MSBuild format (VS Code's $msCompile matcher) or JSON.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = ".ann files to check", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "text (MSBuild style) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("check", "Parse and check .ann files; exit 0 without errors, 1 with errors, 2 on usage or unreadable files") { files, format };
        command.SetAction(parse => Run(parse.GetValue(files)!, parse.GetValue(format)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(string[] paths, string format, TextWriter stdout, TextWriter stderr)
    {
        bool errors = false, unreadable = false;
        var json = new List<object>();
        foreach (var path in paths)
        {
            var text = SourceFile.TryRead(path, stderr);
            if (text is null)
            {
                unreadable = true;
                continue;
            }
            var analysis = DocumentAnalysis.Analyze(text);
            foreach (var d in analysis.Diagnostics)
            {
                var (start, end) = analysis.Text.GetRange(d.Span);
                errors |= d.IsError;
                if (format == "json")
                    json.Add(new
                    {
                        file = path, line = start.Line + 1, column = start.Character + 1, endLine = end.Line + 1, endColumn = end.Character + 1,
                        severity = d.Severity == DiagnosticSeverity.Hint ? "hint" : SeverityWord(d.Severity), code = d.Code, message = d.Message,
                        related = d.Related.Select(r =>
                        {
                            var at = analysis.Text.GetPosition(r.Span.Start);
                            return new { file = path, line = at.Line + 1, column = at.Character + 1, message = r.Message };
                        }),
                    });
                else
                    stdout.WriteLine($"{path}({start.Line + 1},{start.Character + 1},{end.Line + 1},{end.Character + 1}): {SeverityWord(d.Severity)} {d.Code}: {d.Message}");
            }
        }
        if (format == "json") stdout.WriteLine(JsonConvert.SerializeObject(json, Formatting.Indented));
        return unreadable ? 2 : errors ? 1 : 0;
    }

    /// <summary>MSBuild knows error, warning and info; hints print as info.</summary>
    public static string SeverityWord(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        _ => "info",
    };
}
