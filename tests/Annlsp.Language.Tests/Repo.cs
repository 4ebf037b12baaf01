namespace Annlsp.Language.Tests;

/// <summary>Locates files in the repository from the test's output folder.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "annlsp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("annlsp.sln not found above " + AppContext.BaseDirectory);
    }

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
