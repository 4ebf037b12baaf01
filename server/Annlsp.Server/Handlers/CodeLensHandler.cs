using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Server.Protocol;
using Annlsp.Server.Training;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Handlers;

/// <summary>
/// textDocument/codeLens: "▶ Train" (or "■ Stop" while running, and the last run's result) and "Export for torchrun…" over each `train`,
/// and "61,706 params · 0.42 M mult-adds" over each network (opens the network view).
/// </summary>
public sealed class CodeLensHandler(ServerSession session, TrainingManager training) : IHandler
{
    public const string ShowNetwork = "annlsp.showNetwork";
    public const string ExportTitle = "Export for torchrun…";

    public void Contribute(ServerCapabilities capabilities) => capabilities.CodeLensProvider = new CodeLensOptions(ResolveProvider: false);

    [LspMethod("textDocument/codeLens")]
    public async Task<List<CodeLens>> CodeLenses(CodeLensParams request, CancellationToken cancellationToken)
    {
        var uri = request.TextDocument.Uri;
        var snapshot = session.Documents.Get(uri);
        if (!snapshot.HasDocumentWideFeatures) return [];   // see ServerOptions.LargeDocumentLimit
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var lenses = new List<CodeLens>();
        foreach (var declaration in analysis.Root.Declarations)
        {
            if (declaration.Name.IsMissing) continue;
            var range = LspTranslator.ToRange(analysis.Text, declaration.Keyword.Span);
            if (declaration is NetworkDeclarationSyntax && analysis.Networks.TryGetValue(declaration.Name.Text, out var network))
            {
                lenses.Add(new CodeLens(range, new Command(
                    $"{SummaryTable.Number(network.Parameters)} params · {SummaryTable.Compact(network.MultiplyAdds)} mult-adds",
                    ShowNetwork, new JArray(uri, network.Name))));
            }
            else if (declaration is TrainDeclarationSyntax train)
            {
                var config = analysis.Trains.FirstOrDefault(t => t.Syntax == declaration);
                string target = config?.DisplayName ?? declaration.Name.Text;
                var args = new JArray(uri, target);
                // The trainer refuses errors in what this training uses (errors elsewhere are only warnings); say so where the button would be.
                int errors = analysis.ClosureOf(train).Errors.Count;
                if (training.IsRunning(uri, target))
                    lenses.Add(new CodeLens(range, new Command("■ Stop", ExecuteCommandHandler.Stop, args)));
                else if (errors > 0)
                    lenses.Add(new CodeLens(range, new Command(errors == 1 ? "▶ Train — fix 1 error first" : $"▶ Train — fix {errors} errors first", "", null)));
                else
                    lenses.Add(new CodeLens(range, new Command("▶ Train", ExecuteCommandHandler.Train, args)));
                if (training.LastResult(uri, target) is { } last)
                    lenses.Add(new CodeLens(range, new Command(last, "", null)));
                if (errors == 0 && config is not null)
                    lenses.Add(new CodeLens(range, new Command(ExportTitle, ExecuteCommandHandler.ExportTorchrun, args)));
            }
        }
        return lenses;
    }
}
