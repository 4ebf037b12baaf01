using System.CommandLine;
using Annlsp.Cli.Commands;

// The `annlsp` command. Each subcommand lives in Commands/<Name>Command.cs and is registered here, once.
var root = new RootCommand("annlsp — check, format, summarise and train neural networks written in the .ann language");
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(SummaryCommand.Create());
root.Subcommands.Add(FormatCommand.Create());
root.Subcommands.Add(LspCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
return root.Parse(args).Invoke();
