using Annlsp.Progress;
using System.Text.Json.Nodes;
using Annlsp.Training.Data;
using Annlsp.Training.Training;
using static Annlsp.Training.Tests.Nets;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>The training recipe: learning-rate schedules, input standardisation, label smoothing.</summary>
public class RecipeTests
{
    [Fact]
    public void Schedules_give_the_expected_learning_rate_at_chosen_steps()
    {
        const double lr = 3e-3;
        const long total = 1000;
        foreach (var step in new long[] { 0, 1, 499, 999 })
            Assert.Equal(lr, LearningRateSchedule.At("constant", lr, step, total));

        // cosine: lr·½(1 + cos(πt/T)) — the full lr at the first step, half at the middle, nearly 0 at the last
        Assert.Equal(lr, LearningRateSchedule.At("cosine", lr, 0, total), 12);
        Assert.Equal(lr / 2, LearningRateSchedule.At("cosine", lr, 500, total), 12);
        Assert.Equal(lr * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), LearningRateSchedule.At("cosine", lr, 250, total), 12);
        Assert.InRange(LearningRateSchedule.At("cosine", lr, 999, total), 0, lr * 1e-4);
        Assert.Equal(LearningRateSchedule.At("cosine", lr, 999, total), LearningRateSchedule.At("cosine", lr, 5000, total)); // clamped

        // onecycle: lr/25 → lr linearly over the first 30 % (300 steps), then the cosine from lr to 0
        Assert.Equal(lr / 25, LearningRateSchedule.At("onecycle", lr, 0, total), 12);
        Assert.Equal(lr / 25 + (lr - lr / 25) * 150 / 300, LearningRateSchedule.At("onecycle", lr, 150, total), 12);
        Assert.Equal(lr, LearningRateSchedule.At("onecycle", lr, 300, total), 12);
        Assert.Equal(lr / 2, LearningRateSchedule.At("onecycle", lr, 650, total), 12);
        Assert.InRange(LearningRateSchedule.At("onecycle", lr, 999, total), 0, lr * 1e-4);

        // monotone: cosine never rises, onecycle rises then never rises again
        var cos = Enumerable.Range(0, (int)total).Select(t => LearningRateSchedule.At("cosine", lr, t, total)).ToArray();
        Assert.True(cos.Zip(cos.Skip(1)).All(p => p.Second <= p.First));
        var one = Enumerable.Range(0, (int)total).Select(t => LearningRateSchedule.At("onecycle", lr, t, total)).ToArray();
        Assert.Equal(300, Array.IndexOf(one, one.Max()));
    }

    [Fact]
    public void Standardisation_uses_the_training_statistics_per_channel()
    {
        // two channels with known statistics: channel 0 alternates 0 and 255 (mean ½, std ½), channel 1 is 51 everywhere (mean 0.2, std 0)
        var bytes = new byte[10 * 2 * 4 * 4];
        for (int i = 0; i < 10; i++)
            for (int k = 0; k < 16; k++)
            {
                bytes[(i * 2 + 0) * 16 + k] = (byte)((i + k) % 2 == 0 ? 0 : 255);
                bytes[(i * 2 + 1) * 16 + k] = 51;
            }
        using var images = tensor(bytes, [10L, 2, 4, 4]);
        using var s = InputStandardisation.FromData(images, CPU);
        Assert.Equal(0.5, s.Mean[0], 9);
        Assert.Equal(0.5, s.Std[0], 9);
        Assert.Equal(0.2, s.Mean[1], 9);
        Assert.Equal(1.0, s.Std[1]); // a constant channel is only centred
        using var x = s.Apply(images);
        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal(0, x.select(1, 0).mean().item<float>(), 5);
        Assert.Equal(1, x.select(1, 0).std(unbiased: false).item<float>(), 5);
        Assert.Equal(0, x.select(1, 1).abs().max().item<float>(), 5);

        // one channel: the scalar path gives the same as the formula
        using var grey = images.narrow(1, 0, 1).contiguous();
        using var g = InputStandardisation.FromData(grey, CPU);
        using var y = g.Apply(grey);
        using var expected = grey.to_type(ScalarType.Float32).div(255).sub(g.Mean[0]).div(g.Std[0]);
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));

        // and round-trips through its JSON (run.json, checkpoint meta)
        var read = InputStandardisation.Read(JsonNode.Parse(s.ToJson().ToJsonString()));
        Assert.NotNull(read);
        Assert.Equal(s.Mean, read.Value.Mean);
        Assert.Equal(s.Std, read.Value.Std);
    }

    [Fact]
    public void A_cosine_run_with_label_smoothing_learns_and_records_its_recipe()
    {
        var dir = TestSetup.TempDir("recipe");
        var config = Classifier(LeNet(4), Shapes, epochs: 2, batch: 32, opt: Adam(3e-3), schedule: "cosine", labelSmoothing: 0.1);
        var events = new CollectingObserver();
        var result = Trainer.Run(new TrainOptions { Config = config, OutDir = dir, Limit = 2000, Observer = events, ProgressEvery = 10, TensorBoard = false, SourceText = "test" });
        Assert.True(result.Status == "finished", result.Reason);

        var steps = events.Events.OfType<StepEvent>().ToList();
        var lrs = steps.Select(e => e.Lr).ToList();
        long total = events.Events.OfType<StartedEvent>().First().StepsPerEpoch * 2L;
        Assert.Equal(3e-3 * 0.5 * (1 + Math.Cos(Math.PI * 9 / total)), lrs[0], 12); // global step 10 is the 10th step: t = 9
        Assert.True(lrs.Zip(lrs.Skip(1)).All(p => p.Second < p.First), string.Join(", ", lrs));
        Assert.True(lrs[^1] < 3e-3 * 0.01, $"last lr {lrs[^1]}");

        var epochs = events.Events.OfType<EpochEvent>().ToList();
        Assert.True(epochs[1].Accuracy!.Value > 0.8, $"accuracy {epochs[1].Accuracy!.Value} (chance is 0.25)");
        // with smoothing 0.1 over 4 classes the training loss cannot fall below the targets' entropy (about 0.39)
        Assert.True(epochs[1].Loss!.Value > 0.3, $"training loss {epochs[1].Loss!.Value}");

        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(result.RunDir, "run.json")))!;
        Assert.Equal("cosine", (string?)run["schedule"]);
        Assert.Equal(0.1, (double)run["label_smoothing"]!);
        var stats = InputStandardisation.Read(run["data"]!["normalisation"]);
        Assert.NotNull(stats);
        Assert.InRange(stats.Value.Mean[0], 0.01, 0.5); // shapes: mostly dark background
        Assert.InRange(stats.Value.Std[0], 0.05, 0.5);
    }
}
