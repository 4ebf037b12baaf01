using System.Reflection;

namespace Annlsp.Server.Training;

/// <summary>
/// Finds the command that runs the trainer (`annlsp train …`): the configured command, then $ANNLSP_TRAINER,
/// then this very process when it is `annlsp` (the `annlsp lsp` case), then `annlsp`/`annlsp.dll` beside the
/// server, then `annlsp` on PATH. A `.dll` is run with the `dotnet` host.
/// </summary>
public static class TrainerLocator
{
    public static IReadOnlyList<string>? Find(ServerOptions options)
    {
        if (options.TrainerCommand is { Count: > 0 } configured) return configured;
        if (Environment.GetEnvironmentVariable("ANNLSP_TRAINER") is { Length: > 0 } env) return FromPath(env);

        var entry = Assembly.GetEntryAssembly();
        var processPath = Environment.ProcessPath;
        if (entry?.GetName().Name == "annlsp" && processPath is not null)
        {
            if (Path.GetFileNameWithoutExtension(processPath) == "dotnet" && !string.IsNullOrEmpty(entry.Location))
                return [processPath, entry.Location];
            return [processPath];
        }
        foreach (var candidate in new[] { "annlsp", "annlsp.dll" })
        {
            var path = Path.Combine(AppContext.BaseDirectory, candidate);
            if (File.Exists(path)) return FromPath(path);
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "annlsp");
            if (File.Exists(path)) return [path];
        }
        return null;
    }

    private static IReadOnlyList<string> FromPath(string path) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [DotnetHost(), path] : [path];

    private static string DotnetHost()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet") return processPath;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}
