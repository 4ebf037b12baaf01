// annlsp-server: the language server alone, over stdio. `annlsp lsp` runs the same thing.
Annlsp.Server.Transport.TimingTrace.Mark("main");
return await Annlsp.Server.LanguageServer.RunStdioAsync();
