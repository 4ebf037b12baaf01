using System.Text.Json.Nodes;
using Annlsp.Progress;
using Annlsp.Training.Data;
using Annlsp.Training.Export;
using Annlsp.Training.Training;
using static Annlsp.Training.Tests.Nets;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>
/// `random_flip` and `random_shift` (Data/BatchAugmentation.cs): the flips and moves against a per-pixel reference,
/// the draws (seeded by the step, shared by a pair, within range), a classifier run that records and uses them, and
/// train.py's copy of the same arithmetic and draws.
/// </summary>
public class AugmentationTests
{
    static AugmentationTests() => TestSetup.Init();

    /// <summary>out[b, c, i, j] = in[b, c, i − dy, j' − dx] with j' the mirrored column when flipped; 0 outside the image.</summary>
    private static float[] Reference(float[] input, int b, int c, int h, int w, bool[] flips, (int Dy, int Dx)[] moves)
    {
        var output = new float[input.Length];
        for (int n = 0; n < b; n++)
        for (int k = 0; k < c; k++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        {
            int si = i - moves[n].Dy, sj = j - moves[n].Dx;
            if (si < 0 || si >= h || sj < 0 || sj >= w) continue;
            if (flips[n]) sj = w - 1 - sj;
            output[((n * c + k) * h + i) * w + j] = input[((n * c + k) * h + si) * w + sj];
        }
        return output;
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    public void Flips_and_moves_match_a_per_pixel_reference(int seed, int shift)
    {
        var rng = new Random(seed);
        const int b = 7, c = 2, h = 5, w = 6;
        var input = Enumerable.Range(0, b * c * h * w).Select(_ => (float)rng.Next(1, 256)).ToArray();
        var flips = Enumerable.Range(0, b).Select(_ => rng.Next(2) == 1).ToArray();
        var moves = Enumerable.Range(0, b).Select(_ => (rng.Next(-shift, shift + 1), rng.Next(-shift, shift + 1))).ToArray();
        moves[0] = (shift, -shift); // the extremes, whatever the draws
        using var x = tensor(input, [b, c, h, w]);
        using var y = BatchAugmentation.Apply(x, flips, moves);
        Assert.Equal(new long[] { b, c, h, w }, y.shape);
        Assert.Equal(Reference(input, b, c, h, w, flips, moves), y.data<float>().ToArray());
        // raw bytes go through the same way (the trainer augments before normalising)
        using var bytes = x.to_type(ScalarType.Byte);
        using var yb = BatchAugmentation.Apply(bytes, flips, moves);
        Assert.Equal(ScalarType.Byte, yb.dtype);
        Assert.Equal(Reference(input, b, c, h, w, flips, moves), yb.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Draws_depend_on_the_step_only_stay_in_range_and_a_pair_shares_them()
    {
        var augmentation = new BatchAugmentation(flip: true, shift: 2, seed: 5);
        var (flips, moves) = augmentation.Draw(4000, 17);
        var (flipsAgain, movesAgain) = augmentation.Draw(4000, 17);
        Assert.Equal(flips, flipsAgain);
        Assert.Equal(moves, movesAgain);
        var (otherFlips, _) = augmentation.Draw(4000, 18);
        Assert.NotEqual(flips, otherFlips);
        Assert.InRange(flips.Count(f => f), 1800, 2200); // about half
        var offsets = moves.SelectMany(m => new[] { m.Dy, m.Dx }).ToArray();
        Assert.Equal(new[] { -2, -1, 0, 1, 2 }, offsets.Distinct().Order().ToArray());

        using var a = rand([8, 1, 6, 6]);
        using var twin = a.clone();
        var both = augmentation.Apply([a, twin], 3);
        Assert.True(both[0].eq(both[1]).all().item<bool>(), "a pix2pix input and target are moved together");
        Assert.False(both[0].eq(a).all().item<bool>());

        var none = BatchAugmentation.None;
        Assert.True(none.IsIdentity);
        Assert.Same(a, none.Apply([a], 3)[0]);
    }

    [Fact]
    public void A_classifier_run_records_the_augmentation_and_trains_on_other_images_than_without_it()
    {
        var dir = TestSetup.TempDir("augment");
        List<double> Losses(TrainResult result, CollectingObserver events)
        {
            Assert.True(result.Status == "finished", result.Reason);
            return events.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToList();
        }
        (TrainResult, CollectingObserver) Run(bool flip, int shift)
        {
            var events = new CollectingObserver();
            var config = Classifier(LeNet(4), Shapes, epochs: 1, batch: 32, seed: 3, randomFlip: flip, randomShift: shift);
            var result = Trainer.Run(new TrainOptions { Config = config, OutDir = dir, Limit = 320, Observer = events, SourceText = "test", ProgressEvery = 1 });
            return (result, events);
        }
        var (plain, plainEvents) = Run(false, 0);
        var (augmented, augmentedEvents) = Run(true, 2);
        var (again, againEvents) = Run(true, 2);
        var plainLoss = Losses(plain, plainEvents);
        var augmentedLoss = Losses(augmented, augmentedEvents);
        Assert.NotEqual(plainLoss, augmentedLoss);               // the same weights and batches, other images
        Assert.Equal(augmentedLoss, Losses(again, againEvents)); // and the same ones for the same seed

        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(augmented.RunDir, "run.json")))!;
        Assert.True((bool)run["random_flip"]!);
        Assert.Equal(2, (int)run["random_shift"]!);
        var plainRun = JsonNode.Parse(File.ReadAllText(Path.Combine(plain.RunDir, "run.json")))!;
        Assert.False((bool)plainRun["random_flip"]!);
    }
}
