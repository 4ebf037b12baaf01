using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Annlsp.Training.Output;

namespace Annlsp.Training.Tests;

/// <summary>A trainer in its own process: SIGTERM stops it cleanly; SIGKILL leaves the last checkpoint readable.</summary>
public class ProcessTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static Process StartTrainer(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(TestSetup).Assembly.Location);
        psi.ArgumentList.Add("train-shapes");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ANNLSP_TEST_CHILD"] = "1";
        return Process.Start(psi)!;
    }

    /// <summary>Reads JSON events until one matches; returns all read so far.</summary>
    private static List<JsonObject> ReadUntil(Process p, Func<JsonObject, bool> stop, TimeSpan timeout)
    {
        var events = new List<JsonObject>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var read = p.StandardOutput.ReadLineAsync();
            if (!read.Wait(timeout - clock.Elapsed)) break;
            var line = read.Result;
            if (line is null) break;
            if (JsonNode.Parse(line) is not JsonObject o) continue;
            events.Add(o);
            if (stop(o)) break;
        }
        return events;
    }

    private static void FailUnless(bool condition, Process p)
    {
        if (condition) return;
        try { p.Kill(true); } catch (InvalidOperationException) { }
        p.WaitForExit();
        Assert.Fail("the trainer did not get that far: " + p.StandardError.ReadToEnd());
    }

    [Fact]
    public void Sigterm_stops_after_the_current_step_and_writes_a_final_checkpoint()
    {
        var dir = TestSetup.TempDir("sigterm");
        using var p = StartTrainer(dir, "50", "2000", "16");
        var events = ReadUntil(p, e => (string?)e["event"] == "step" && (long)e["globalStep"]! >= 15, TimeSpan.FromSeconds(90));
        FailUnless(events.Count > 0, p);
        Assert.Equal(0, kill(p.Id, 15));
        events.AddRange(ReadUntil(p, e => (string?)e["event"] is "finished" or "failed", TimeSpan.FromSeconds(60)));
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(0, p.ExitCode);
        var finished = events.Last();
        Assert.Equal("finished", (string?)finished["event"]);
        Assert.Equal("stopped", (string?)finished["status"]);
        var checkpoint = events.Last(e => (string?)e["event"] == "checkpoint");
        long stoppedAt = (long)checkpoint["globalStep"]!;
        Assert.True(stoppedAt >= 15 && stoppedAt < 50 * 125, $"stopped at {stoppedAt}");
        var (_, meta) = RunFolder.LoadCheckpoint((string)checkpoint["path"]!);
        Assert.Equal(stoppedAt, (long)meta["globalStep"]!);
    }

    [Fact]
    public void A_killed_trainer_leaves_the_previous_checkpoint_readable()
    {
        var dir = TestSetup.TempDir("sigkill");
        // 2 steps an epoch and a checkpoint after every epoch: checkpoints are written all the time.
        using var p = StartTrainer(dir, "100000", "64", "32");
        var events = ReadUntil(p, e => (string?)e["event"] == "checkpoint" && (int)e["epoch"]! >= 5, TimeSpan.FromSeconds(90));
        FailUnless(events.Any(e => (string?)e["event"] == "checkpoint"), p);
        Thread.Sleep(37); // land somewhere in the middle of the next steps / checkpoint write
        p.Kill(); // SIGKILL
        p.WaitForExit();
        var runDir = (string)events.First(e => (string?)e["event"] == "started")["runDir"]!;
        var (tensors, meta) = RunFolder.LoadCheckpoint(Path.Combine(runDir, RunFolder.CheckpointFile));
        Assert.True((int)meta["epoch"]! >= 5);
        Assert.Contains("model.layers.0.weight", tensors.Keys);

        // ... and training resumes from it.
        using var again = StartTrainer(dir, ((int)meta["epoch"]! + 1).ToString(), "64", "32", runDir);
        var resumed = ReadUntil(again, e => (string?)e["event"] is "finished" or "failed", TimeSpan.FromSeconds(90));
        Assert.True(again.WaitForExit(30_000));
        Assert.Equal("finished", (string?)resumed.Last()["event"]);
        Assert.Equal((long)meta["globalStep"]!, (long)resumed.First()["resumedFrom"]!);
    }
    /// <summary>
    /// SIGKILL in the middle of epoch 2 (after epoch 1's checkpoint), then --resume: metrics.jsonl holds each step
    /// once, in order, and each epoch once; what a kill during a write leaves (temporary files) is gone.
    /// </summary>
    [Fact]
    public void A_resume_after_a_kill_mid_epoch_keeps_metrics_in_order_and_removes_temporary_files()
    {
        var dir = TestSetup.TempDir("killmid");
        using var p = StartTrainer(dir, "1000", "640", "32"); // 20 steps an epoch, a checkpoint after each
        var events = ReadUntil(p, e => (string?)e["event"] == "step" && (int)e["epoch"]! == 2 && (int)e["step"]! >= 3, TimeSpan.FromSeconds(90));
        FailUnless(events.Any(e => (string?)e["event"] == "checkpoint"), p);
        p.Kill(); // SIGKILL
        p.WaitForExit();
        var runDir = (string)events.First(e => (string?)e["event"] == "started")["runDir"]!;
        // what a kill inside a checkpoint or model write leaves behind
        File.WriteAllText(Path.Combine(runDir, RunFolder.CheckpointFile + ".99999.tmp"), "partial");
        File.WriteAllText(Path.Combine(runDir, RunFolder.ModelFile + ".tmp"), "partial");

        using var again = StartTrainer(dir, "3", "640", "32", runDir);
        var resumed = ReadUntil(again, e => (string?)e["event"] is "finished" or "failed", TimeSpan.FromSeconds(90));
        Assert.True(again.WaitForExit(30_000));
        Assert.Equal("finished", (string?)resumed.Last()["event"]);

        var lines = File.ReadAllLines(Path.Combine(runDir, RunFolder.MetricsFile)).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var steps = lines.Where(l => (string?)l["event"] == "step").Select(l => (long)l["globalStep"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), steps); // ProgressEvery 1: every step, once
        Assert.Equal([1, 2, 3], lines.Where(l => (string?)l["event"] == "epoch").Select(l => (int)l["epoch"]!));
        Assert.Empty(Directory.GetFiles(runDir, "*.tmp", SearchOption.AllDirectories));
    }
}
