// annlsp-server: the language server alone, over stdio. `annlsp lsp` runs the same thing.
return await Annlsp.Server.LanguageServer.RunStdioAsync();
