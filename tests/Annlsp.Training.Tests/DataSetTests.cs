using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using StbImageWriteSharp;
using static Annlsp.Training.Tests.Nets;

namespace Annlsp.Training.Tests;

public class DataSetTests
{
    [Fact]
    public void Shapes_are_seeded_balanced_and_drawn()
    {
        var (a, la) = ShapesDataSet.Generate(400, 11);
        var (b, lb) = ShapesDataSet.Generate(400, 11);
        var (c, _) = ShapesDataSet.Generate(400, 12);
        Assert.Equal(a, b);
        Assert.Equal(la, lb);
        Assert.NotEqual(a, c);
        Assert.Equal(400 * 28 * 28, a.Length);
        foreach (var k in Enumerable.Range(0, 4)) Assert.InRange(la.Count(l => l == k), 60, 140);
        for (int i = 0; i < 400; i++)
        {
            var img = a.AsSpan(i * 784, 784).ToArray();
            Assert.True(img.Count(p => p > 128) >= 15, $"image {i} has too little ink");
            Assert.True(img.Count(p => p < 40) >= 400, $"image {i} has too little background");
        }
    }

    [Fact]
    public void Fashion_mnist_loads_from_Debians_package_as_one_byte_tensor()
    {
        Assert.True(File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), "sudo apt-get install -y dataset-fashion-mnist");
        using var split = DataSets.Load(new DataRequest { Data = FashionMnist });
        Assert.Equal(60000, split.Train.Count);
        Assert.Equal(10000, split.Evaluation!.Count);
        Assert.Equal("test", split.EvaluationName);
        Assert.Equal([1L, 28L, 28L], split.Train.ImageShape);
        Assert.Equal(TorchSharp.torch.ScalarType.Byte, split.Train.Images.dtype);
        using var counts = split.Train.Labels.bincount(null, 10);
        Assert.All(counts.data<long>().ToArray(), n => Assert.Equal(6000L, n));
        Assert.Equal(9L, split.Evaluation.Labels[0].item<long>()); // the first test image is an ankle boot

        using var limited = DataSets.Load(new DataRequest { Data = FashionMnist, Limit = 1000, ValidateFraction = 0.2, Seed = 3 });
        Assert.Equal(800, limited.Train.Count);
        Assert.Equal(200, limited.Evaluation!.Count);
        Assert.Equal("validation", limited.EvaluationName);
    }

    [Fact]
    public void Missing_data_sets_name_the_path_tried_and_how_to_get_them()
    {
        var dir = TestSetup.TempDir("nodata");
        var e1 = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = FashionMnist with { Directory = dir } }));
        Assert.Contains(dir, e1.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", e1.Message);
        var e2 = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("cifar10", dir, S(3, 32, 32), 10, []) }));
        Assert.Contains("data_batch_1.bin", e2.Message);
        Assert.Contains("binary version", e2.Message);
        var e3 = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("images", Path.Combine(dir, "nope"), S(1, 8, 8), 2, []) }));
        Assert.Contains(Path.Combine(dir, "nope"), e3.Message);
    }

    [Fact]
    public void Cifar10_binary_batches_are_read_record_by_record()
    {
        var dir = TestSetup.TempDir("cifar");
        for (int f = 0; f <= 5; f++)
        {
            var bytes = new byte[3 * 3073];
            for (int r = 0; r < 3; r++)
            {
                bytes[r * 3073] = (byte)((f + r) % 10);
                for (int k = 1; k < 3073; k++) bytes[r * 3073 + k] = (byte)(k % 251);
            }
            File.WriteAllBytes(Path.Combine(dir, f == 0 ? "test_batch.bin" : $"data_batch_{f}.bin"), bytes);
        }
        using var split = DataSets.Load(new DataRequest { Data = new DataSetRef("cifar10", dir, S(3, 32, 32), 10, []) });
        Assert.Equal(15, split.Train.Count);
        Assert.Equal(3, split.Evaluation!.Count);
        Assert.Equal([3L, 32L, 32L], split.Train.ImageShape);
        Assert.Equal(1L, split.Train.Labels[0].item<long>());
        Assert.Equal((byte)(1025 % 251), split.Train.Images[0, 1, 0, 0].item<byte>()); // green plane starts at byte 1 + 1024
        Assert.Equal("airplane", split.Train.ClassNames[0]);
    }

    [Fact]
    public void Image_folders_give_one_class_per_subfolder_resized()
    {
        var dir = TestSetup.TempDir("images");
        var writer = new ImageWriter();
        foreach (var (cls, value) in new[] { ("bright", (byte)230), ("dark", (byte)20) })
        {
            Directory.CreateDirectory(Path.Combine(dir, cls));
            for (int i = 0; i < 5; i++)
            {
                var rgb = Enumerable.Repeat(value, 20 * 12 * 3).ToArray();
                using var s = File.Create(Path.Combine(dir, cls, $"{i}.png"));
                writer.WritePng(rgb, 20, 12, ColorComponents.RedGreenBlue, s);
            }
        }
        using var split = DataSets.Load(new DataRequest { Data = new DataSetRef("images", dir, S(1, 8, 8), 2, ["bright", "dark"]) });
        Assert.Equal(["bright", "dark"], split.Train.ClassNames);
        Assert.Equal(10, split.Train.Count + split.Evaluation!.Count); // 10 % held out when there is no test/ folder
        Assert.Equal([1L, 8L, 8L], split.Train.ImageShape);
        for (int i = 0; i < split.Train.Count; i++)
        {
            long label = split.Train.Labels[i].item<long>();
            Assert.Equal(label == 0 ? 230 : 20, split.Train.Images[i, 0, 4, 4].item<byte>());
        }
    }
}
