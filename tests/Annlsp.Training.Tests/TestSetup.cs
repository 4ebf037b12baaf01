using System.Runtime.CompilerServices;
using Annlsp.Training.Native;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Annlsp.Training.Tests;

internal static class TestSetup
{
    /// <summary>Every test process prepares the native side (GLIBCXX fix, bundled LibTorch) before any tensor exists.</summary>
    [ModuleInitializer]
    internal static void Init()
    {
        if (Environment.GetEnvironmentVariable("ANNLSP_TEST_CHILD") == "1") return; // the child chooses its own LibTorch
        TorchRuntime.PrepareNative("bundled", "cpu");
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "annlsp-tests", $"{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "annlsp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Runs this test assembly as a child process in the given mode; returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) RunChild(IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(TestSetup).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ANNLSP_TEST_CHILD"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120))) { p.Kill(true); throw new TimeoutException("child process timed out"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
