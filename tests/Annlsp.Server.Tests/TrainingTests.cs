using Annlsp.Server.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Tests;

/// <summary>
/// The server's side of training: `annlsp.train` starts the trainer as a child process in the workspace, relays
/// its JSON-line events as work-done progress and `annlsp/trainingEvent`, `annlsp.stop` stops it (SIGTERM, then
/// kill), code lens follows the run. The trainer here is a scripted stand-in that speaks the progress protocol.
/// </summary>
public sealed class TrainingTests : IDisposable
{
    private readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("annlsp-train-");
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Training", "scripted-trainer.sh");

    public void Dispose()
    {
        try { _workspace.Delete(recursive: true); } catch (IOException) { }
    }

    private async Task<(LspClient Client, string Uri)> StartAsync(string mode, TimeSpan? grace = null, string? rootUri = null, string? text = null)
    {
        Environment.SetEnvironmentVariable("TRAINER_MODE", mode);   // inherited by the child process
        var file = Path.Combine(_workspace.FullName, "lenet.ann");
        File.WriteAllText(file, text ?? TestDocs.Example("lenet.ann"));
        var client = LspClient.StartInProcess(new ServerOptions
        {
            DiagnosticsDelay = TimeSpan.Zero,
            TrainerCommand = ["bash", Script],
            StopGracePeriod = grace ?? TimeSpan.FromSeconds(5),
        });
        await client.InitializeAsync(rootUri: rootUri ?? new Uri(_workspace.FullName).AbsoluteUri);
        var uri = new Uri(file).AbsoluteUri;
        await client.OpenAsync(uri, File.ReadAllText(file));
        await client.DiagnosticsAsync(uri, 1);
        return (client, uri);
    }

    private static Task<JToken> Execute(LspClient client, string command, params object[] arguments) =>
        client.RequestAsync<JToken>("workspace/executeCommand", new { command, arguments });

    private static async Task<List<string?>> LensTitlesAsync(LspClient client, string uri) =>
        (await client.RequestAsync<JArray>("textDocument/codeLens", new { textDocument = new { uri } }))
            .Where(l => l["command"]!.Value<string>("command") is not ("annlsp.showNetwork" or "annlsp.exportTorchrun"))
            .Select(l => l["command"]!.Value<string>("title")).ToList();

    [Fact]
    public async Task Train_relays_events_as_progress_and_notifications_and_updates_the_lens()
    {
        var (client, uri) = await StartAsync("finish");
        await using var _ = client;
        Assert.Equal(new[] { "▶ Train" }, await LensTitlesAsync(client, uri));
        var started = await Execute(client, "annlsp.train", uri, "LeNet5");
        Assert.Equal("LeNet5", started.Value<string>("target"));

        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        Assert.Equal(uri, finished.Value<string>("uri"));
        Assert.Equal("LeNet5", finished.Value<string>("target"));
        Assert.Equal(Path.Combine(_workspace.FullName, "runs", "LeNet5", "20261128-180000"), finished.Value<string>("runDir"));
        var events = client.Notifications.Where(n => n.Method == "annlsp/trainingEvent").Select(n => n.Params["event"]!.Value<string>("event")).ToList();
        Assert.Equal("started", events[0]);
        Assert.Contains("step", events);
        Assert.Contains("epoch", events);

        var token = Assert.Single(client.ProgressCreateRequests)["token"]!;
        var end = await client.WaitForNotificationAsync("$/progress", p => p["value"]!.Value<string>("kind") == "end");
        var progress = client.Notifications.Where(n => n.Method == "$/progress" && n.Params["token"]!.ToString() == token.ToString()).Select(n => n.Params["value"]!).ToList();
        Assert.Equal("begin", progress[0].Value<string>("kind"));
        Assert.True(progress[0].Value<bool>("cancellable"));
        Assert.Contains(progress, p => p.Value<string>("kind") == "report" && p.Value<string>("message")!.Contains("epoch 1/2"));
        Assert.Contains("accuracy 0.875", end["value"]!.Value<string>("message"));

        // Once the run is over the lens offers Train again and shows the result.
        for (int i = 0; i < 100 && (await LensTitlesAsync(client, uri)).Count < 2; i++) await Task.Delay(50);
        var lenses = await LensTitlesAsync(client, uri);
        Assert.Equal("▶ Train", lenses[0]);
        Assert.StartsWith("✓ finished", lenses[1]);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Train_sends_the_open_documents_unsaved_text_to_the_trainer()
    {
        var (client, uri) = await StartAsync("finish");
        await using var _ = client;
        var onDisk = File.ReadAllText(Path.Combine(_workspace.FullName, "lenet.ann"));
        var edited = onDisk.Replace("epochs: 5", "epochs: 7");
        Assert.NotEqual(onDisk, edited);
        await client.ChangeFullAsync(uri, edited, 2);
        await client.DiagnosticsAsync(uri, 2);

        await Execute(client, "annlsp.train", uri, "LeNet5");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        // The stand-in keeps what it read on stdin (up to the NUL): the editor's text, not the file's.
        Assert.Equal(edited, File.ReadAllText(Path.Combine(_workspace.FullName, "received-source.ann")));
        Assert.Equal(onDisk, File.ReadAllText(Path.Combine(_workspace.FullName, "lenet.ann")));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task The_lens_offers_train_for_a_valid_target_when_another_network_is_broken()
    {
        const string text = """
            network Broken {
                input(1x28x28)
                dense(4)
            }
            network LeNet5 {
                input(1x28x28)
                flatten
                dense(10)
            }
            train LeNet5 {
                data: fashion_mnist
            }
            train Broken {
                data: shapes
            }
            """;
        var (client, uri) = await StartAsync("finish", text: text);
        await using var _ = client;
        // In text order: LeNet5's train, then Broken's.
        Assert.Equal(new[] { "▶ Train", "▶ Train — fix 1 error first" }, await LensTitlesAsync(client, uri));
        await Execute(client, "annlsp.train", uri, "LeNet5");
        var end = await client.WaitForNotificationAsync("$/progress", p => p["value"]!.Value<string>("kind") == "end");
        Assert.StartsWith("✓ finished", end["value"]!.Value<string>("message"));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>A workspace folder "/" (rootUri file:///): the run has a working folder, ends, and the target can train again.</summary>
    [Fact]
    public async Task A_workspace_folder_at_the_root_trains_and_the_run_ends()
    {
        var (client, uri) = await StartAsync("finish", rootUri: "file:///");
        await using var _ = client;
        var started = await Execute(client, "annlsp.train", uri, "LeNet5");
        Assert.Equal("/", started.Value<string>("workspace"));
        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        Assert.Equal("/runs/LeNet5/20261128-180000", finished.Value<string>("runDir"));   // the stand-in writes under its working folder
        var end = await client.WaitForNotificationAsync("$/progress", p => p["value"]!.Value<string>("kind") == "end");
        Assert.StartsWith("✓ finished", end["value"]!.Value<string>("message"));
        for (int i = 0; i < 100 && (await LensTitlesAsync(client, uri))[0] != "▶ Train"; i++) await Task.Delay(50);
        Assert.Equal("▶ Train", (await LensTitlesAsync(client, uri))[0]);
        await Execute(client, "annlsp.train", uri, "LeNet5");   // not "already training"
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished", skip: 1);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>Spellings of the same file are one document: the one-run-per-target guard holds for each.</summary>
    [Fact]
    public async Task Another_spelling_of_the_documents_uri_cannot_start_a_second_run()
    {
        var (client, uri) = await StartAsync("forever");
        await using var _ = client;
        await Execute(client, "annlsp.train", uri, "LeNet5");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step");
        var folder = new Uri(_workspace.FullName).AbsoluteUri;
        foreach (var variant in new[] { folder + "/./lenet.ann", folder + "//lenet.ann", folder + "/%6Cenet.ann", folder + "/sub/../lenet.ann" })
        {
            var message = await RpcAssert.ErrorAsync(-32803, () => Execute(client, "annlsp.train", variant, "LeNet5"));
            Assert.Contains("already training", message);
            Assert.Equal(new[] { "■ Stop" }, await LensTitlesAsync(client, variant));
        }
        Assert.Single(client.ProgressCreateRequests);
        Assert.True((await Execute(client, "annlsp.stop", folder + "/./lenet.ann", "LeNet5")).Value<bool>());
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task The_result_lens_of_a_gan_run_shows_its_sample_scores()
    {
        var (client, uri) = await StartAsync("gan");
        await using var _ = client;
        await Execute(client, "annlsp.train", uri, "LeNet5");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        for (int i = 0; i < 100 && (await LensTitlesAsync(client, uri)).Count < 2; i++) await Task.Delay(50);
        Assert.Equal("✓ finished: loss_d 0.9, loss_g 1.2, FD 12.3 · 94% confident · 4/4 classes", (await LensTitlesAsync(client, uri))[1]);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Stop_asks_the_trainer_to_stop_and_the_lens_follows()
    {
        var (client, uri) = await StartAsync("forever");
        await using var _ = client;
        await Execute(client, "annlsp.train", uri, "LeNet5");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step");
        Assert.Equal(new[] { "■ Stop" }, await LensTitlesAsync(client, uri));
        await RpcAssert.ErrorAsync(-32803, () => Execute(client, "annlsp.train", uri, "LeNet5"));   // one run per target

        var stopped = await Execute(client, "annlsp.stop", uri, "LeNet5");
        Assert.True(stopped.Value<bool>());
        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        Assert.Equal("stopped", finished["event"]!.Value<string>("status"));
        for (int i = 0; i < 100 && (await LensTitlesAsync(client, uri))[0] != "▶ Train"; i++) await Task.Delay(50);
        var titles = await LensTitlesAsync(client, uri);
        Assert.Equal("▶ Train", titles[0]);
        Assert.StartsWith("■ stopped", titles[1]);
        Assert.False((await Execute(client, "annlsp.stop", uri, "LeNet5")).Value<bool>());   // nothing left to stop
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Cancelling_the_progress_stops_the_run_and_a_stubborn_trainer_is_killed()
    {
        var (client, uri) = await StartAsync("stubborn", grace: TimeSpan.FromMilliseconds(500));
        await using var _ = client;
        await Execute(client, "annlsp.train", uri, "LeNet5");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step");
        var token = Assert.Single(client.ProgressCreateRequests)["token"]!;
        await client.NotifyAsync("window/workDoneProgress/cancel", new { token });
        var end = await client.WaitForNotificationAsync("$/progress", p => p["value"]!.Value<string>("kind") == "end", TimeSpan.FromSeconds(20));
        Assert.Equal("■ stopped", end["value"]!.Value<string>("message"));
        Assert.Contains("did not stop", client.Notifications.Where(n => n.Method == "window/logMessage").Select(n => n.Params.Value<string>("message")).Aggregate("", (a, b) => a + b));
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task Shutdown_stops_running_trainers()
    {
        var (client, uri) = await StartAsync("forever");
        await using var _ = client;
        var started = await Execute(client, "annlsp.train", uri, "LeNet5");
        int pid = started.Value<int>("pid");
        await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "step");
        Assert.Equal(0, await client.ShutdownAsync());
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Training_is_refused_when_the_client_says_the_workspace_is_untrusted()
    {
        var file = Path.Combine(_workspace.FullName, "lenet.ann");
        File.WriteAllText(file, TestDocs.Example("lenet.ann"));
        await using var client = LspClient.StartInProcess(new ServerOptions { TrainerCommand = ["bash", Script] });
        await client.InitializeAsync(new { training = new { enabled = false } }, new Uri(_workspace.FullName).AbsoluteUri);
        var uri = new Uri(file).AbsoluteUri;
        await client.OpenAsync(uri, File.ReadAllText(file));
        var message = await RpcAssert.ErrorAsync(-32803, () => Execute(client, "annlsp.train", uri, "LeNet5"));
        Assert.Contains("not trusted", message);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    [Fact]
    public async Task A_run_folder_outside_the_workspace_is_not_reported()
    {
        var (client, uri) = await StartAsync("outside");
        await using var _ = client;
        await Execute(client, "annlsp.train", uri, "LeNet5");
        var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
        Assert.Equal(JTokenType.Null, finished["runDir"]!.Type);
        Assert.Equal(0, await client.ShutdownAsync());
    }

    /// <summary>`linkout → a folder outside`: the path reads as inside the workspace, but the folder is not.</summary>
    [Fact]
    public async Task A_run_folder_reached_through_a_link_out_of_the_workspace_is_not_reported()
    {
        var outside = Directory.CreateTempSubdirectory("annlsp-outside-");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_workspace.FullName, "linkout"), outside.FullName);
            var (client, uri) = await StartAsync("linkout");
            await using var _ = client;
            await Execute(client, "annlsp.train", uri, "LeNet5");
            var finished = await client.WaitForNotificationAsync("annlsp/trainingEvent", p => p["event"]!.Value<string>("event") == "finished");
            Assert.Equal(JTokenType.Null, finished["runDir"]!.Type);
            await client.WaitForNotificationAsync("window/logMessage", p => p.Value<string>("message")!.Contains($"{outside.FullName}/LeNet5/20261128-180000 is outside the workspace"));
            Assert.Equal(0, await client.ShutdownAsync());
        }
        finally { outside.Delete(recursive: true); }
    }
}
