using Annlsp.Language;
using Annlsp.Language.Semantics;

namespace Annlsp.Training;

/// <summary>Finds what a command line names: a `train` block ("LeNet5", "LeNet5 as quick", "quick"), a network or a gan.</summary>
public static class TrainingTargets
{
    public static TrainConfig ResolveTrain(DocumentAnalysis analysis, string? name)
    {
        var trains = analysis.Trains;
        if (trains.Count == 0) throw new TrainingException("the file has no `train` block");
        if (string.IsNullOrWhiteSpace(name))
        {
            // Count the declarations, not the checked trainings: one whose target is unknown has no config, and the
            // other one must not be taken for "the only one".
            int declared = analysis.Root.Declarations.Count(d => d is Annlsp.Language.Syntax.TrainDeclarationSyntax);
            if (trains.Count == 1 && declared == 1) return trains[0];
            throw new TrainingException($"the file has {declared} trainings; choose one with --target: {List(trains)}");
        }
        var exact = trains.Where(t => t.DisplayName == name).ToList();
        if (exact.Count == 1) return exact[0];
        var byRunName = trains.Where(t => t.RunName == name || $"{t.Target}.{t.RunName}" == name || $"{t.Target}:{t.RunName}" == name).ToList();
        if (byRunName.Count == 1) return byRunName[0];
        var byTarget = trains.Where(t => t.Target == name).ToList();
        if (byTarget.Count == 1) return byTarget[0];
        if (byTarget.Count > 1)
            return byTarget.FirstOrDefault(t => t.RunName is null) ?? throw new TrainingException($"'{name}' has several trainings; choose one: {List(byTarget)}");
        throw new TrainingException($"no training named '{name}'; the file has: {List(trains)}");
    }

    private static string List(IEnumerable<TrainConfig> trains) => string.Join(", ", trains.Select(t => $"\"{t.DisplayName}\""));

    /// <summary>Networks to export for a name: a network itself, a gan's two networks, a diffusion's denoiser, or a training's target.</summary>
    public static IReadOnlyList<NetworkModel> ResolveNetworks(DocumentAnalysis analysis, string name)
    {
        if (analysis.Networks.TryGetValue(name, out var n)) return [n];
        if (analysis.Gans.TryGetValue(name, out var g))
            return new[] { g.Generator, g.Discriminator }.Where(x => x is not null).Select(x => x!).ToList();
        if (analysis.Diffusions.TryGetValue(name, out var d))
            return d.Denoiser is { } denoiser ? [denoiser] : throw new TrainingException($"diffusion {name} has no valid denoiser");
        var t = analysis.Trains.FirstOrDefault(t => t.DisplayName == name);
        if (t is not null) return ResolveNetworks(analysis, t.Target);
        throw new TrainingException($"no network, gan or diffusion named '{name}'; the file has: {string.Join(", ", analysis.Networks.Keys.Concat(analysis.Gans.Keys).Concat(analysis.Diffusions.Keys))}");
    }

    /// <summary>The diffusion a name means: a diffusion itself, or a training of one; else null.</summary>
    public static DiffusionModel? ResolveDiffusion(DocumentAnalysis analysis, string name) =>
        analysis.Diffusions.TryGetValue(name, out var d) ? d : analysis.Trains.FirstOrDefault(t => t.DisplayName == name)?.Diffusion;

    /// <summary>The newest run folder of a training, runs/&lt;target&gt;/&lt;stamp&gt; next to the file.</summary>
    public static string? LatestRun(string sourcePath, string displayName, string? outDir = null)
    {
        var root = outDir ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".", "runs");
        var dir = Path.Combine(root, displayName.Replace(" as ", "-"));
        if (!Directory.Exists(dir)) return null;
        return Directory.GetDirectories(dir).Where(d => File.Exists(Path.Combine(d, "model.pt"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault();
    }
}
