using System.CommandLine;
using Annlsp.Server;

namespace Annlsp.Cli.Commands;

/// <summary>`annlsp lsp`: the language server over stdio (LSP 3.17). Training runs it starts are this same executable (`annlsp train`).</summary>
public static class LspCommand
{
    public static Command Create()
    {
        var stdio = new Option<bool>("--stdio") { Description = "Talk LSP over stdin/stdout (the default and only transport; accepted for clients that pass it)" };
        var delay = new Option<int?>("--diagnostics-delay") { Description = "Milliseconds to wait after an edit before re-analysing (default 5)" };
        var command = new Command("lsp", "Run the language server over stdio") { stdio, delay };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServerOptions();
            if (parse.GetValue(delay) is int ms) options.DiagnosticsDelay = TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 5000));
            return await LanguageServer.RunStdioAsync(options);
        });
        return command;
    }
}
