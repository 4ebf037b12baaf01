using System.Diagnostics;
using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>Skipped (with the reason) when `nvim` is not installed and this is not CI; on CI a missing nvim fails.</summary>
public sealed class NeovimFactAttribute : FactAttribute
{
    public NeovimFactAttribute()
    {
        if (NeovimTests.FindNvim() is null && Environment.GetEnvironmentVariable("CI") is not ("true" or "1"))
            Skip = "nvim is not installed (apt-get install -y neovim): the Neovim client test needs it; CI installs it (scripts/prereqs.sh)";
    }
}

/// <summary>A second real LSP client nobody here wrote: Debian's Neovim 0.7, headless, driven by Neovim/client.lua.</summary>
public class NeovimTests
{
    public static string? FindNvim() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "nvim")).FirstOrDefault(File.Exists);

    [NeovimFact]
    public async Task Neovim_sees_the_shape_error_completes_hovers_and_shuts_the_server_down()
    {
        var nvim = FindNvim() ?? throw new InvalidOperationException("nvim not found on PATH (apt-get install -y neovim)");
        var dir = Directory.CreateTempSubdirectory("annlsp-nvim-");
        try
        {
            var text = TestDocs.Example(Path.Combine("mistakes", "ANN3001-dense-after-image.ann"));
            var file = Path.Combine(dir.FullName, "lenet.ann");
            File.WriteAllText(file, text);
            var output = Path.Combine(dir.FullName, "result.json");
            var lines = text.Split('\n');
            int denseLine = Array.FindIndex(lines, l => l.TrimStart().StartsWith("dense(120)"));
            int reluLine = Array.FindIndex(lines, l => l.TrimStart().StartsWith("conv(16"));

            var start = new ProcessStartInfo(nvim) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = dir.FullName };
            foreach (var a in new[] { "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", $"luafile {Path.Combine(AppContext.BaseDirectory, "Neovim", "client.lua")}" })
                start.ArgumentList.Add(a);
            start.Environment["ANNLSP_CMD"] = JsonConvert.SerializeObject(new[] { "dotnet", ServerProcess.ServerDll });
            start.Environment["ANNLSP_FILE"] = file;
            start.Environment["ANNLSP_OUT"] = output;
            start.Environment["ANNLSP_COMPLETION"] = $"{reluLine + 1}:4";       // start of the `pool` line: layer names
            start.Environment["ANNLSP_HOVER"] = $"{reluLine}:5";            // on `conv(16, …)`
            start.Environment["ANNLSP_FIX_LINE"] = denseLine.ToString();
            start.Environment["XDG_STATE_HOME"] = dir.FullName;
            start.Environment["XDG_DATA_HOME"] = dir.FullName;
            start.Environment["XDG_CACHE_HOME"] = dir.FullName;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                try { await process.WaitForExitAsync(timeout.Token); }
                catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"nvim did not finish: {await stderr}"); }
            }
            Assert.True(File.Exists(output), $"nvim wrote no result; stdout: {await stdout}\nstderr: {await stderr}");
            var result = JObject.Parse(File.ReadAllText(output));
            Assert.True(result["errors"] is not JArray { Count: > 0 }, result.ToString());
            Assert.True(result.Value<bool>("got_diagnostics"), result.ToString());
            var diagnostic = Assert.Single(result["diagnostics"]!, d => d.Value<string>("code") == "ANN3001");
            Assert.Contains("16×5×5", diagnostic.Value<string>("message"));
            Assert.Equal(denseLine, diagnostic["range"]!["start"]!.Value<int>("line"));
            Assert.True(result.Value<int>("nvim_diagnostics") >= 1);
            Assert.True(result["capabilities"]!.Value<bool>("incremental"));
            var completion = result["completion"]!.Values<string>().ToList();
            Assert.Contains("conv", completion);
            Assert.Contains("pool", completion);
            Assert.Contains("6×14×14 → 16×10×10", result.Value<string>("hover"));
            Assert.True(result.Value<bool>("fixed"), "inserting flatten through Neovim's incremental sync cleared the error: " + result);
            Assert.True(result.Value<bool>("stopped"), result.ToString());
            Assert.Equal(0, result.Value<int>("exit_code"));
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
