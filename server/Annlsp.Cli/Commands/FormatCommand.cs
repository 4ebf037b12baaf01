using System.CommandLine;
using System.Text;
using Annlsp.Language;
using Annlsp.Language.Editor;

namespace Annlsp.Cli.Commands;

/// <summary>
/// `annlsp format FILE… [--check]`: rewrites each file in the canonical layout (the editor's formatting, four-space
/// indents). With --check nothing is written: the files that would change are listed and the exit code is 1, for CI.
/// A file with syntax errors is left untouched and its errors are printed with their locations.
/// </summary>
public static class FormatCommand
{
    public const string Indent = "    ";

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = ".ann files to format", Arity = ArgumentArity.OneOrMore };
        var check = new Option<bool>("--check") { Description = "Write nothing; list the files that would change and exit 1 if any would" };
        var command = new Command("format", "Rewrite .ann files in the canonical layout; exit 0 when done (with --check: when nothing would change), " +
                                            "1 when a file has syntax errors (or, with --check, would change), 2 on usage or unreadable files") { files, check };
        command.SetAction(parse => Run(parse.GetValue(files)!, parse.GetValue(check), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string[] paths, bool check, TextWriter stdout, TextWriter stderr)
    {
        bool failed = false, unreadable = false;
        foreach (var path in paths)
        {
            var text = SourceFile.TryRead(path, stderr);
            if (text is null)
            {
                unreadable = true;
                continue;
            }
            var analysis = DocumentAnalysis.Analyze(text);
            var result = CanonicalFormatter.FormatDocument(analysis, Indent);
            switch (result.Outcome)
            {
                case FormatOutcome.SyntaxErrors:
                    // The MSBuild form of `annlsp check`, so an editor's problem matcher finds them.
                    TrainingConsole.PrintErrors(path, analysis, result.SyntaxErrors, stderr);
                    stderr.WriteLine($"annlsp format: {path} has syntax errors; left as it is");
                    failed = true;
                    break;
                case FormatOutcome.Refused:
                    stderr.WriteLine($"annlsp format: formatting {path} would change its tokens (a formatter bug); left as it is");
                    failed = true;
                    break;
                case FormatOutcome.Formatted when check:
                    stdout.WriteLine(path);
                    failed = true;
                    break;
                case FormatOutcome.Formatted:
                    try { File.WriteAllText(path, result.Text, new UTF8Encoding(false)); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        stderr.WriteLine($"annlsp: cannot write '{path}': {e.Message}");
                        unreadable = true;
                    }
                    break;
            }
        }
        return unreadable ? 2 : failed ? 1 : 0;
    }
}
