using System.Diagnostics;

namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>Finds the server executable built next to the tests (Annlsp.Server is an exe: annlsp-server.dll).</summary>
public static class ServerProcess
{
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "annlsp-server.dll");

    public static ProcessStartInfo StartInfo()
    {
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
