using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Annlsp.Progress;
using Annlsp.Server.Tests.Infrastructure;
using Annlsp.Server.Tests.Training;
using Annlsp.Server.Training;

namespace Annlsp.Server.Tests;

/// <summary>
/// The progress protocol's records (server/Annlsp.Progress) against what is written about them: the JSON lines, the
/// client's generated TypeScript types and docs/progress-protocol.md.
/// </summary>
public sealed class ProgressProtocolTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 28, 18, 9, 44, 66, TimeSpan.Zero);

    private static string Docs => File.ReadAllText(Path.Combine(ServerProcess.RepoRoot, "docs", "progress-protocol.md"));

    [Fact]
    public void An_event_is_one_line_with_v_event_and_time_first_and_numbers_as_the_protocol_writes_them()
    {
        var step = new StepEvent { Time = Time, Epoch = 1, Step = 1, Steps = 16, GlobalStep = 1, Loss = 1.3762279748916626, Lr = 0.001, ImagesPerSecond = 2037.48 };
        Assert.Equal("""{"v":1,"event":"step","time":"2026-11-28T18:09:44.066Z","epoch":1,"step":1,"steps":16,"globalStep":1,"loss":1.376228,"lr":0.001,"imagesPerSecond":2037.48}""",
            ProgressJson.Write(step));
        var diverged = new EpochEvent { Time = Time, Epoch = 2, Epochs = 2, Loss = double.NaN, Accuracy = double.PositiveInfinity, Seconds = 1, ImagesPerSecond = 2 };
        var o = JsonNode.Parse(ProgressJson.Write(diverged))!;
        Assert.Equal("NaN", (string?)o["loss"]);
        Assert.Equal("Infinity", (string?)o["accuracy"]);
        Assert.False(o.AsObject().ContainsKey("loss_d"), "a GAN's metrics are left out of a classifier's epoch");
        var read = Assert.IsType<EpochEvent>(ProgressJson.Read(ProgressJson.Write(diverged)));
        Assert.True(double.IsNaN(read.Loss!.Value));
        Assert.Equal(diverged, read);
        // always-written fields carry null meaning "not applicable"
        Assert.Null((string?)JsonNode.Parse(ProgressJson.Write(new StartedEvent { Time = Time }))!["resumedFrom"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"event":"telemetry","v":1}""")]
    [InlineData("""{"event":"step","v":2,"epoch":1}""")]
    [InlineData("""{"event":"step","v":1,"epoch":"one"}""")]
    public void A_line_that_is_not_an_event_of_this_protocol_reads_as_null(string line) => Assert.Null(ProgressJson.Read(line));

    [Fact]
    public void Unknown_fields_are_ignored_when_reading()
    {
        var e = Assert.IsType<FinishedEvent>(ProgressJson.Read("""{"v":1,"event":"finished","time":"2026-11-28T18:09:44.431Z","status":"stopped","runDir":"/w","epoch":1,"globalStep":3,"model":"/w/model.pt","future":{"x":1}}"""));
        Assert.Equal(("stopped", "/w", 3L), (e.Status, e.RunDir, e.GlobalStep));
    }

    /// <summary>Every JSON line of the protocol document is an event the records read, and writes back field for field.</summary>
    [Fact]
    public void The_examples_in_the_protocol_document_are_events_of_the_records()
    {
        var lines = Regex.Matches(Docs, "```json\n(.*?)```", RegexOptions.Singleline).SelectMany(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(lines.Count >= 8, $"{lines.Count} example lines");
        foreach (var line in lines)
        {
            var e = ProgressJson.Read(line);
            Assert.True(e is not null, $"not an event: {line}");
            var written = JsonNode.Parse(ProgressJson.Write(e))!.AsObject();
            var example = JsonNode.Parse(line)!.AsObject();
            foreach (var (key, value) in example)
            {
                Assert.True(written.ContainsKey(key), $"{key} of the example is not a field of {e.GetType().Name}: {line}");
                Assert.True(JsonNode.DeepEquals(value, written[key]), $"{key}: {value?.ToJsonString()} in the example, {written[key]?.ToJsonString()} written back: {line}");
            }
        }
    }

    /// <summary>Each event's section of docs/progress-protocol.md names every field of its record.</summary>
    [Fact]
    public void The_protocol_document_names_every_field_of_every_event()
    {
        var docs = Docs;
        var missing = new List<string>();
        foreach (var (kind, type) in ProgressJson.Kinds)
        {
            var section = Regex.Match(docs, $"### `{kind}`\n(.*?)(?=\n### |\n## )", RegexOptions.Singleline);
            if (!section.Success) { missing.Add($"no section ### `{kind}`"); continue; }
            foreach (var f in ProgressTypeScript.Fields(type, kind).Where(f => f.Key is not ("v" or "event" or "time")))
                if (!section.Groups[1].Value.Contains($"`{f.Key}`", StringComparison.Ordinal)) missing.Add($"{kind}: `{f.Key}`");
        }
        Assert.True(missing.Count == 0, "docs/progress-protocol.md does not describe: " + string.Join(", ", missing));
    }

    /// <summary>`scripts/gen-progress-types.sh` (ANNLSP_UPDATE_BASELINES=1) rewrites the file.</summary>
    [Fact]
    public void The_generated_typescript_types_are_current()
    {
        var path = Path.Combine(ServerProcess.RepoRoot, ProgressTypeScript.RelativePath);
        var generated = ProgressTypeScript.Generate();
        if (Environment.GetEnvironmentVariable("ANNLSP_UPDATE_BASELINES") == "1") File.WriteAllText(path, generated);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == generated,
            $"{ProgressTypeScript.RelativePath} is not what server/Annlsp.Progress generates: run scripts/gen-progress-types.sh");
    }

    [Fact]
    public void The_result_lens_names_a_gan_run_s_losses_and_scores_and_a_classifier_s_accuracy()
    {
        var gan = new FinishedEvent { Status = "finished", LossD = 1.2346, LossG = 0.8, Fd = 12.34, Confident = 0.936, Coverage = 4, Classes = 4 };
        Assert.Equal("✓ finished: loss_d 1.235, loss_g 0.8, FD 12.3 · 94% confident · 4/4 classes", TrainingManager.Summarise(gan));
        var stopped = new FinishedEvent { Status = "stopped", Loss = 0.5, Accuracy = double.NaN };
        Assert.Equal("■ stopped: loss 0.5", TrainingManager.Summarise(stopped));
        Assert.Equal("✗ failed: out of memory", TrainingManager.Summarise(new FailedEvent { Reason = "out of memory" }));
    }

    /// <summary>Another writer (a torchrun script, the tests' scripted trainer) may leave fields out: they read as the records' defaults.</summary>
    [Fact]
    public void A_line_that_leaves_fields_out_reads_with_the_records_defaults()
    {
        var e = Assert.IsType<StartedEvent>(ProgressJson.Read("""{"v":1,"event":"started","runDir":"/w/runs/T/1","epochs":2}"""));
        Assert.Equal(("/w/runs/T/1", 2, "", 0), (e.RunDir, e.Epochs, e.Target, e.Seed));
        Assert.Empty(e.Warnings);
        Assert.Null(e.ResumedFrom);
    }
}
