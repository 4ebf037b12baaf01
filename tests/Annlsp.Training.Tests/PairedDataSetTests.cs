using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using StbImageWriteSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Tests;

/// <summary>edges(…) and pairs(…): what they derive and read, and the bad files pairs refuses by name.</summary>
public class PairedDataSetTests
{
    private static DataSetRef Pairs(string dir, int size, int channels, string direction = "AtoB")
    {
        var shape = Shape.Image(channels, size, size);
        return new DataSetRef("pairs", dir, shape, 0, []) { Input = shape, Direction = direction };
    }

    /// <summary>A w×h PNG whose left half is <paramref name="left"/> and right half <paramref name="right"/> (grey), or any bytes.</summary>
    private static void WritePair(string path, int half, int height, byte left, byte right)
    {
        var pixels = new byte[2 * half * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < 2 * half; x++)
                pixels[y * 2 * half + x] = x < half ? left : right;
        using var s = File.Create(path);
        new ImageWriter().WritePng(pixels, 2 * half, height, ColorComponents.Grey, s);
    }

    [Theory]
    [InlineData("AtoB", 40, 200)]
    [InlineData("BtoA", 200, 40)]
    public void Pairs_reads_side_by_side_files_into_inputs_and_targets_with_train_and_val_splits(string direction, int input, int target)
    {
        var dir = TestSetup.TempDir("pairs");
        Directory.CreateDirectory(Path.Combine(dir, "train"));
        Directory.CreateDirectory(Path.Combine(dir, "val"));
        for (int i = 0; i < 5; i++) WritePair(Path.Combine(dir, "train", $"{i}.png"), 20, 20, 40, 200);
        for (int i = 0; i < 2; i++) WritePair(Path.Combine(dir, "val", $"{i}.png"), 12, 12, 40, 200);
        using var split = DataSets.Load(new DataRequest { Data = Pairs(dir, 8, 1, direction) });
        Assert.Equal(5, split.Train.Count);
        Assert.Equal(2, split.Evaluation!.Count);
        Assert.Equal("test", split.EvaluationName);
        Assert.Equal([5L, 1, 8, 8], split.Train.Inputs!.shape);
        Assert.Equal([5L, 1, 8, 8], split.Train.Images.shape);
        Assert.Equal(input, split.Evaluation.Inputs!.to_type(ScalarType.Int32).max().item<int>());
        Assert.Equal(input, split.Train.Inputs.to_type(ScalarType.Int32).min().item<int>());
        Assert.Equal(target, split.Train.Images.to_type(ScalarType.Int32).max().item<int>());
    }

    [Theory]
    [InlineData("empty", "is empty (0 bytes)")]
    [InlineData("truncated", "cannot read")]
    [InlineData("odd", "its width must be even")]
    [InlineData("text", "cannot read")]
    public void Pairs_refuses_a_broken_file_by_name(string kind, string expected)
    {
        var dir = TestSetup.TempDir("pairs-bad");
        for (int i = 0; i < 3; i++) WritePair(Path.Combine(dir, $"good{i}.png"), 16, 16, 10, 250);
        var bad = Path.Combine(dir, "bad.png");
        switch (kind)
        {
            case "empty": File.WriteAllBytes(bad, []); break;
            case "truncated":
                WritePair(bad, 16, 16, 10, 250);
                var bytes = File.ReadAllBytes(bad);
                File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
                break;
            case "odd":
            {
                var pixels = new byte[33 * 16];
                using var s = File.Create(bad);
                new ImageWriter().WritePng(pixels, 33, 16, ColorComponents.Grey, s);
                break;
            }
            case "text": File.WriteAllText(bad, "not an image"); break;
        }
        var e = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = Pairs(dir, 8, 1) }).Dispose());
        Assert.Contains(bad, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Pairs_in_a_missing_folder_or_one_without_images_says_so()
    {
        var missing = Path.Combine(TestSetup.TempDir("pairs-missing"), "nowhere");
        Assert.Contains("not found", Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = Pairs(missing, 8, 1) })).Message);
        var empty = TestSetup.TempDir("pairs-empty");
        Assert.Contains("no image files", Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = Pairs(empty, 8, 3) })).Message);
    }

    [Fact]
    public void The_edge_map_marks_a_squares_outline_and_nothing_in_flat_parts()
    {
        using var image = zeros([2L, 1, 16, 16]);
        image[0, 0, TensorIndex.Slice(4, 12), TensorIndex.Slice(4, 12)] = tensor(1f);
        using var edges = PairedDataSets.EdgeMap(image);
        Assert.Equal([2L, 1, 16, 16], edges.shape);
        var e = edges[0, 0].to_type(ScalarType.Int32);
        Assert.Equal(255, e[4, 8].item<int>());   // the square's top edge
        Assert.Equal(255, e[8, 3].item<int>());   // just left of it
        Assert.Equal(0, e[8, 8].item<int>());     // its flat inside
        Assert.Equal(0, e[0, 0].item<int>());     // the flat background
        Assert.Equal(0, edges[1].to_type(ScalarType.Int32).max().item<int>()); // a blank image has no edges
    }

    [Fact]
    public void Edges_of_shapes_gives_pairs_at_the_size_asked_for()
    {
        var data = new DataSetRef("edges", null, Shape.Image(1, 32, 32), 4, Nets.Shapes.ClassNames) { Input = Shape.Image(1, 32, 32), Source = Nets.Shapes };
        using var split = DataSets.Load(new DataRequest { Data = data, Limit = 50 });
        Assert.Equal(50, split.Train.Count);
        Assert.Equal([50L, 1, 32, 32], split.Train.Inputs!.shape);
        Assert.Equal([50L, 1, 32, 32], split.Train.Images.shape);
        Assert.Equal(500, split.Evaluation!.Count);
        var inputs = split.Train.Inputs.to_type(ScalarType.Int32);
        Assert.True(inputs.eq(0).logical_or(inputs.eq(255)).all().item<bool>(), "an edge map is black and white");
        var onEdges = inputs.gt(0).sum().item<long>();
        Assert.True(onEdges > 50 * 20 && onEdges < 50 * 32 * 32 / 2, $"{onEdges} edge pixels in 50 drawings");
    }
}
