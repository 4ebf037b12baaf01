using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>Skipped (with the reason) when `annlsp.dll` has not been built and this is not CI (CI builds the solution first).</summary>
public sealed class RealTrainerFactAttribute : FactAttribute
{
    public RealTrainerFactAttribute()
    {
        if (RealTrainerTests.FindTrainer() is null && Environment.GetEnvironmentVariable("CI") is not ("true" or "1"))
            Skip = "server/Annlsp.Cli is not built (dotnet build server/Annlsp.Cli): the end-to-end training test runs the real `annlsp train`";
    }
}

/// <summary>The real trainer (`annlsp train … --progress json`, TorchSharp on the CPU) driven through the server: a tiny network on the generated `shapes` data.</summary>
public sealed class RealTrainerTests : IDisposable
{
    private readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("annlsp-real-train-");

    public static string? FindTrainer() =>
        new[] { "Release", "Debug" }
            .Select(c => Path.Combine(ServerProcess.RepoRoot, "server", "Annlsp.Cli", "bin", c, "net10.0", "annlsp.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();

    public void Dispose()
    {
        try { _workspace.Delete(recursive: true); } catch (IOException) { }
    }

    private const string Tiny = """
        network Tiny {
            input(1x28x28)
            flatten
            dense(4)
        }
        train Tiny {
            data: shapes
            epochs: 1
            batch: 500
            seed: 1
        }
        train Tiny as long {
            data: shapes
            epochs: 50
            batch: 64
            seed: 1
        }
        """;

    private async Task<(LspClient Client, string Uri)> StartAsync()
    {
        var trainer = FindTrainer() ?? throw new InvalidOperationException("annlsp.dll not built: dotnet build server/Annlsp.Cli");
        var file = Path.Combine(_workspace.FullName, "tiny.ann");
        File.WriteAllText(file, Tiny);
        var client = LspClient.StartInProcess(new ServerOptions { TrainerCommand = ["dotnet", trainer], StopGracePeriod = TimeSpan.FromSeconds(60) });
        await client.InitializeAsync(rootUri: new Uri(_workspace.FullName).AbsoluteUri);
        var uri = new Uri(file).AbsoluteUri;
        await client.OpenAsync(uri, Tiny);
        return (client, uri);
    }

    [RealTrainerFact]
    public async Task Train_runs_the_real_trainer_and_relays_its_events()
    {
        var (client, uri) = await StartAsync();
        await using var _ = client;
        await client.RequestAsync<JToken>("workspace/executeCommand", new { command = "annlsp.train", arguments = new[] { uri, "Tiny" } });
        var started = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "started", TimeSpan.FromSeconds(120));
        var runDir = started.Value<string>("runDir")!;
        Assert.StartsWith(_workspace.FullName, runDir);
        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") is "finished" or "failed", TimeSpan.FromSeconds(240));
        Assert.True(finished["event"]!.Value<string>("event") == "finished", finished.ToString() + "\n" + client.ServerLog);
        Assert.Equal("finished", finished["event"]!.Value<string>("status"));
        Assert.Contains(client.Notifications, n => n.Method == "annlsp/trainingEvent" && n.Params["event"]!.Value<string>("event") == "epoch");
        Assert.True(File.Exists(Path.Combine(runDir, "run.json")));
        var end = await client.WaitForNotificationAsync("$/progress", p => p["value"]!.Value<string>("kind") == "end");
        Assert.StartsWith("✓ finished", end["value"]!.Value<string>("message"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>`annlsp lsp`: the command the VS Code extension starts, over stdio, with a clean shutdown.</summary>
    [RealTrainerFact]
    public async Task Annlsp_lsp_command_serves_over_stdio()
    {
        await using var client = LspClient.StartProcess(command: ["dotnet", FindTrainer()!, "lsp", "--stdio"]);
        var result = await client.InitializeAsync();
        Assert.Equal("annlsp", result["serverInfo"]!.Value<string>("name"));
        var uri = TestDocs.Uri("cli.ann");
        await client.OpenAsync(uri, "network A {\n    input(1x8x8)\n    dense(2)\n}\n");
        var diagnostics = await client.DiagnosticsAsync(uri, 1);
        Assert.Contains(diagnostics, d => d.Value<string>("code") == "ANN3001");
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>
    /// SIGKILL of `annlsp lsp` (no shutdown, no SIGTERM for its children): the trainer it started notices that its
    /// parent is gone, finishes the step, writes its checkpoint and model.pt, and ends — it does not train on for nobody.
    /// </summary>
    [RealTrainerFact]
    public async Task A_trainer_ends_with_a_checkpoint_when_its_server_is_killed()
    {
        const string forever = """
            network Tiny {
                input(1x28x28)
                flatten
                dense(4)
            }
            train Tiny {
                data: shapes
                epochs: 100000
                batch: 64
                seed: 1
            }
            """;
        var file = Path.Combine(_workspace.FullName, "forever.ann");
        File.WriteAllText(file, forever);
        var uri = new Uri(file).AbsoluteUri;
        await using var client = LspClient.StartProcess(command: ["dotnet", FindTrainer()!, "lsp", "--stdio"]);
        await client.InitializeAsync(rootUri: new Uri(_workspace.FullName).AbsoluteUri);
        await client.OpenAsync(uri, forever);
        var started = await client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.train", arguments = new[] { uri, "Tiny" } });
        int trainer = started.Value<int>("pid");
        bool ended = false;
        try
        {
            var step = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step", TimeSpan.FromSeconds(120));
            var runDir = step.Value<string>("runDir")!;
            client.Process!.Kill(); // SIGKILL, the server alone
            for (var waited = TimeSpan.Zero; !ended && waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(100))
            {
                ended = ProcessEnded(trainer);
                if (!ended) await Task.Delay(100);
            }
            Assert.True(ended, $"the trainer (pid {trainer}) was still running 60 s after its server was killed");
            Assert.True(File.Exists(Path.Combine(runDir, "checkpoint.safetensors")), "no checkpoint");
            Assert.True(File.Exists(Path.Combine(runDir, "model.pt")), "no model.pt: the trainer did not stop cleanly");
        }
        finally
        {
            if (!ended && !ProcessEnded(trainer)) _ = Kill(trainer, 9);
        }
    }

    /// <summary>Gone, or a zombie no one has reaped yet (it has exited either way).</summary>
    private static bool ProcessEnded(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')').Last().Trim() is var rest && rest.Length > 0 && rest[0] is 'Z' or 'X'; }
        catch (IOException) { return true; }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [RealTrainerFact]
    public async Task Stop_ends_a_real_run_with_a_checkpoint()
    {
        var (client, uri) = await StartAsync();
        await using var _ = client;
        await client.RequestAsync<JToken>("workspace/executeCommand", new { command = "annlsp.train", arguments = new[] { uri, "Tiny as long" } });
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step", TimeSpan.FromSeconds(120));
        var stopped = await client.RequestAsync<JToken>("workspace/executeCommand", new { command = "annlsp.stop", arguments = new[] { uri, "Tiny as long" } });
        Assert.True(stopped.Value<bool>());
        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") is "finished" or "failed", TimeSpan.FromSeconds(5));
        Assert.Equal("stopped", finished["event"]!.Value<string>("status"));
        Assert.DoesNotContain("did not stop", string.Concat(client.Notifications.Where(n => n.Method == "window/logMessage").Select(n => n.Params.Value<string>("message"))));
        Assert.Equal(0, await client.ShutdownAsync());
    }
}
