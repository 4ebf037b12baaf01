using System.Diagnostics;

namespace Annlsp.Language.Tests.Differential;

/// <summary>Finds a Python with PyTorch (Debian's python3-torch: /usr/bin/python3) and runs scripts with it.</summary>
internal static class PythonTorch
{
    /// <summary>ANNLSP_PYTHON overrides the interpreter; the default is Debian's, which python3-torch installs into.</summary>
    public static string Interpreter => System.Environment.GetEnvironmentVariable("ANNLSP_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Null when the interpreter has a torch package, else why not.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>
    /// Looks the package up without importing it: this runs while tests are discovered, in every run of the
    /// project, and `import torch` takes seconds. A torch that is installed but broken fails the test loudly.
    /// </summary>
    private static string? Probe()
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} does not exist; install python3-torch (apt-get install -y python3-torch)";
        try
        {
            var (code, output) = Run(["-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') else 3)"], TimeSpan.FromSeconds(60));
            return code == 0 ? null : $"{Interpreter} has no torch module (apt-get install -y python3-torch) {output.Trim()}".TrimEnd();
        }
        catch (Exception e)
        {
            return $"cannot run {Interpreter}: {e.Message}";
        }
    }

    public static (int ExitCode, string Output) Run(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        // One thread: the networks are tiny, and the machine is shared with the build.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{Interpreter} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>A fact that is skipped, with the reason, when PyTorch cannot be imported.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (PythonTorch.WhyUnavailable is { } why) Skip = "PyTorch is not available: " + why;
    }
}
