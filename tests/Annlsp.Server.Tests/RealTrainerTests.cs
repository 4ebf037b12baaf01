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

    private async Task<(LspClient Client, string Uri)> StartAsync(string text = Tiny)
    {
        var trainer = FindTrainer() ?? throw new InvalidOperationException("annlsp.dll not built: dotnet build server/Annlsp.Cli");
        var file = Path.Combine(_workspace.FullName, "tiny.ann");
        File.WriteAllText(file, text);
        var client = LspClient.StartInProcess(new ServerOptions { TrainerCommand = ["dotnet", trainer], StopGracePeriod = TimeSpan.FromSeconds(60) });
        await client.InitializeAsync(rootUri: new Uri(_workspace.FullName).AbsoluteUri);
        var uri = new Uri(file).AbsoluteUri;
        await client.OpenAsync(uri, text);
        return (client, uri);
    }

    private static Task<JToken> TrainAsync(LspClient client, string uri, string target) =>
        client.RequestAsync<JToken>("workspace/executeCommand", new { command = "annlsp.train", arguments = new[] { uri, target } });

    private static async Task<JToken> FinishedAsync(LspClient client)
    {
        var end = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") is "finished" or "failed", TimeSpan.FromSeconds(240));
        Assert.True(end["event"]!.Value<string>("event") == "finished", end.ToString() + "\n" + client.ServerLog);
        return end;
    }

    /// <summary>"Export for torchrun…" beside ▶ Train writes the package of the text the editor shows into torchrun/&lt;target&gt;/ beside the file.</summary>
    [RealTrainerFact]
    public async Task Export_for_torchrun_writes_the_package_of_the_unsaved_text_beside_the_file()
    {
        var (client, uri) = await StartAsync();
        await using var _ = client;
        var edited = Tiny.Replace("epochs: 1", "epochs: 3");
        await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = 2 }, contentChanges = new[] { new { text = edited } } });
        var lenses = await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } });
        var export = lenses.Where(l => l["command"]!.Value<string>("command") == "annlsp.exportTorchrun").ToList();
        Assert.Equal(2, export.Count); // one per train block
        Assert.Equal("Export for torchrun…", export[0]["command"]!.Value<string>("title"));
        Assert.Equal(new[] { uri, "Tiny" }, export[0]["command"]!["arguments"]!.Values<string>());

        var result = await client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.exportTorchrun", arguments = new[] { uri, "Tiny" } });
        var folder = Path.Combine(_workspace.FullName, "torchrun", "Tiny");
        Assert.Equal(folder, result.Value<string>("folder"));
        Assert.Equal(Path.Combine(folder, "README.md"), result.Value<string>("readme"));
        Assert.StartsWith("# Tiny: a torchrun training package", File.ReadAllText(Path.Combine(folder, "README.md")));
        Assert.Equal(3, JObject.Parse(File.ReadAllText(Path.Combine(folder, "annlsp_target.json"))).Value<int>("epochs")); // the unsaved edit
        Assert.Equal(edited, File.ReadAllText(Path.Combine(folder, "source.ann")));
        foreach (var file in new[] { "train.py", "Tiny.py", "pytorchjob.yaml", "slurm.sbatch", "data/shapes/train-images-idx3-ubyte.gz" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        await RpcAssert.ErrorAsync(-32803, () => client.RequestAsync<JObject>("workspace/executeCommand", new { command = "annlsp.exportTorchrun", arguments = new[] { uri, "Nope" } }));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>▶ Train trains what the editor shows: edits not saved to disk are in run.json, and source.ann is the edited text.</summary>
    [RealTrainerFact]
    public async Task Train_trains_the_unsaved_text_and_the_run_folder_keeps_it()
    {
        var (client, uri) = await StartAsync();
        await using var _ = client;
        // Two edits, not saved: batch 500 → 250 (typed over), seed 1 → 3 (a range edit).
        var edited = Tiny.Replace("batch: 500", "batch: 250");
        await client.ChangeFullAsync(uri, edited, 2);
        int seedLine = edited.Split('\n').ToList().FindIndex(l => l.Contains("seed: 1"));
        int seedColumn = edited.Split('\n')[seedLine].IndexOf("1", StringComparison.Ordinal);
        await client.ChangeAsync(uri, 3, new Annlsp.Server.Protocol.Range(new(seedLine, seedColumn), new(seedLine, seedColumn + 1)), "3");
        edited = string.Join('\n', edited.Split('\n').Select((l, i) => i == seedLine ? l.Replace("seed: 1", "seed: 3") : l));
        await client.DiagnosticsAsync(uri, 3);

        await TrainAsync(client, uri, "Tiny");
        var runDir = (await FinishedAsync(client)).Value<string>("runDir")!;
        var run = JObject.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
        Assert.Equal(250, run.Value<int>("batch"));
        Assert.Equal(3, run.Value<int>("seed"));
        var source = File.ReadAllBytes(Path.Combine(runDir, "source.ann"));
        Assert.Equal(edited, System.Text.Encoding.UTF8.GetString(source));
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(source)).ToLowerInvariant(), run.Value<string>("sourceSha256"));
        Assert.Equal(Tiny, File.ReadAllText(Path.Combine(_workspace.FullName, "tiny.ann")));   // the file on disk is untouched
        Assert.Equal(0, await client.ShutdownAsync());
    }

    private const string WithBrokenNetwork = """
        network Broken {
            input(1x28x28)
            dense(4)
        }
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
        train Broken {
            data: shapes
            epochs: 1
        }
        """;

    /// <summary>An error in another network is a warning for Tiny's run: ▶ Train is offered, the run finishes, the error is in run.json and the log.</summary>
    [RealTrainerFact]
    public async Task An_error_in_another_network_does_not_stop_a_valid_target()
    {
        var (client, uri) = await StartAsync(WithBrokenNetwork);
        await using var _ = client;
        var lenses = (await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } }))
            .Where(l => l["command"]!.Value<string>("command") != "annlsp.showNetwork").Select(l => l["command"]!.Value<string>("title")).ToList();
        Assert.Equal(new[] { "▶ Train", "Export for torchrun…", "▶ Train — fix 1 error first" }, lenses); // no export of a training with errors

        await TrainAsync(client, uri, "Tiny");
        var runDir = (await FinishedAsync(client)).Value<string>("runDir")!;
        var warning = Assert.Single(JObject.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")))["warnings"]!).Value<string>()!;
        Assert.Matches(@"tiny\.ann\(3,5\): error ANN3001: dense expects a vector", warning);
        Assert.Contains(client.Notifications, n => n.Method == "window/logMessage" && n.Params.Value<int>("type") == 2
            && n.Params.Value<string>("message")!.Contains("ANN3001") && n.Params.Value<string>("message")!.Contains("not fatal"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [RealTrainerFact]
    public async Task A_target_that_uses_the_broken_network_is_refused_with_its_errors()
    {
        var (client, uri) = await StartAsync(WithBrokenNetwork);
        await using var _ = client;
        await TrainAsync(client, uri, "Broken");
        var failed = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") is "finished" or "failed", TimeSpan.FromSeconds(120));
        Assert.Equal("failed", failed["event"]!.Value<string>("event"));
        Assert.Contains("Broken has 1 error in what it trains", failed["event"]!.Value<string>("reason"));
        var error = Assert.Single(failed["event"]!["errors"]!).Value<string>()!;
        Assert.Matches(@"tiny\.ann\(3,5\): error ANN3001", error);
        Assert.False(Directory.Exists(Path.Combine(_workspace.FullName, "runs")));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    private const string TinyGan = """
        network G {
            input(8)
            dense(784) -> tanh
            reshape(1x28x28)
        }
        network D {
            input(1x28x28)
            flatten
            dense(1)
        }
        gan TinyGan {
            generator: G
            discriminator: D
        }
        train TinyGan {
            data: shapes
            epochs: 1
            batch: 500
            seed: 1
            score_samples: 0
        }
        """;

    /// <summary>A GAN's result lens names its two losses (the trainer's `loss_d` / `loss_g`, docs/progress-protocol.md).</summary>
    [RealTrainerFact]
    public async Task The_result_lens_of_a_real_gan_run_shows_both_losses()
    {
        var (client, uri) = await StartAsync(TinyGan);
        await using var _ = client;
        await TrainAsync(client, uri, "TinyGan");
        var finished = await FinishedAsync(client);
        var lossD = finished["event"]!.Value<double>("loss_d");
        string? result = null;
        for (int i = 0; i < 100; i++)
        {
            result = (await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } }))
                .Select(l => l["command"]!.Value<string>("title")).FirstOrDefault(t => t!.StartsWith('✓'));
            if (result is not null) break;
            await Task.Delay(50);
        }
        Assert.NotNull(result);
        Assert.Matches(@"^✓ finished: loss_d \d+(\.\d+)?, loss_g \d+(\.\d+)?$", result);
        Assert.Contains($"loss_d {lossD.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}", result);
        Assert.Equal(0, await client.ShutdownAsync());
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
