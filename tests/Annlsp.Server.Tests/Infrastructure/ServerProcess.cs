using System.Diagnostics;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>
/// Finds the server executable built next to the tests (Annlsp.Server is an exe: annlsp-server.dll). With
/// ANNLSP_TEST_SERVER set to an executable (the Native AOT `annlsp-server` of scripts/publish-server.sh), the
/// child-process tests run against that instead.
/// </summary>
public static class ServerProcess
{
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "annlsp-server.dll");

    /// <summary>The server executable named by ANNLSP_TEST_SERVER, or null for `dotnet annlsp-server.dll`.</summary>
    public static string? ServerExecutable => Environment.GetEnvironmentVariable("ANNLSP_TEST_SERVER") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    public static ProcessStartInfo StartInfo()
    {
        if (ServerExecutable is { } executable)
            return new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        return start;
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "annlsp.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("annlsp.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
