using System.Buffers.Binary;
using System.IO.Compression;
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
    // ---- damaged data: one clear line naming the file, what is wrong and what to do ----

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>An MNIST folder of 20 images; <paramref name="damage"/> rewrites the training images' or labels' file.</summary>
    private static (string Dir, string Damaged) MnistFolder(string damage)
    {
        var dir = TestSetup.TempDir("idx-" + damage);
        var images = Idx([20, 28, 28], Enumerable.Range(0, 20 * 784).Select(i => (byte)(i % 256)).ToArray());
        var labels = Idx([20], Enumerable.Range(0, 20).Select(i => (byte)(i % 10)).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Gzip(images));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), Gzip(labels));
        string Write(string name, byte[] bytes) { var p = Path.Combine(dir, name); File.WriteAllBytes(p, bytes); return p; }
        string damaged = damage switch
        {
            "truncated-gz" => Write("train-images-idx3-ubyte.gz", Gzip(images)[..(Gzip(images).Length / 2)]),
            "truncated-raw" => Write("train-images-idx3-ubyte", images[..(images.Length - 100)]),
            "huge-count" => Write("train-images-idx3-ubyte.gz", Gzip(Idx([0x7fffffff, 28, 28], images[16..]))),
            "negative-count" => Write("train-images-idx3-ubyte", Idx([-5, 28, 28], images[16..])),
            "not-gzip" => Write("train-images-idx3-ubyte.gz", images),
            "label-255" => Write("train-labels-idx1-ubyte.gz", Gzip(Idx([20], Enumerable.Range(0, 20).Select(i => (byte)(i == 7 ? 255 : i % 10)).ToArray()))),
            _ => throw new ArgumentException(damage),
        };
        if (damage != "label-255") File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), Gzip(labels));
        else File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), Gzip(images));
        return (dir, damaged);
    }

    public static TheoryData<string, string> DamagedIdx => new()
    {
        { "truncated-gz", "is truncated" },
        { "truncated-raw", "is truncated: its header says 20 images of 28×28 (15,680 bytes) but it holds 15,580" },
        { "huge-count", "its header says 2147483647 images of 28×28 (1,683,627,179,248 bytes), more than a data set can hold" },
        { "negative-count", "its header says -5 images of 28×28, which cannot be" },
        { "not-gzip", "is not valid gzip data" },
        { "label-255", "label 255 of item 7 is not a class of this data set (0–9)" },
    };

    [Theory]
    [MemberData(nameof(DamagedIdx))]
    public void A_damaged_IDX_file_is_named_with_what_is_wrong_and_what_to_do(string damage, string expected)
    {
        var (dir, damaged) = MnistFolder(damage);
        var e = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("mnist", dir, S(1, 28, 28), 10, []) }));
        Assert.StartsWith(damaged, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("download it again", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    private static void WritePng(string path, byte value, int size = 12)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var s = File.Create(path);
        new ImageWriter().WritePng(Enumerable.Repeat(value, size * size * 3).ToArray(), size, size, ColorComponents.RedGreenBlue, s);
    }

    [Fact]
    public void An_empty_or_unreadable_image_is_named()
    {
        var dir = TestSetup.TempDir("badpng");
        for (int i = 0; i < 4; i++) { WritePng(Path.Combine(dir, "a", $"{i}.png"), 10); WritePng(Path.Combine(dir, "b", $"{i}.png"), 200); }
        var empty = Path.Combine(dir, "b", "2.png");
        File.WriteAllBytes(empty, []);
        var e = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("images", dir, S(1, 8, 8), 0, []) }));
        Assert.Equal($"images: {empty} is empty (0 bytes); delete it or replace it with an image", e.Message);

        File.WriteAllText(empty, "not an image");
        e = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("images", dir, S(1, 8, 8), 0, []) }));
        Assert.StartsWith($"images: cannot read {empty} as an image (", e.Message);
        Assert.EndsWith("delete it or replace it with a PNG, JPEG, BMP, GIF or TGA file", e.Message);
    }

    /// <summary>
    /// Links in an image folder: a loop (to the folder itself or the data folder) is read once, a link to another
    /// class is not read as this class, and a link out of the data folder is refused.
    /// </summary>
    [Fact]
    public void Image_folders_follow_no_link_into_a_loop_another_class_or_out_of_the_data_folder()
    {
        var dir = TestSetup.TempDir("imagelinks");
        for (int i = 0; i < 5; i++) { WritePng(Path.Combine(dir, "bright", $"{i}.png"), 230); WritePng(Path.Combine(dir, "dark", $"{i}.png"), 20); }
        WritePng(Path.Combine(dir, "bright", "more", "extra.png"), 230);
        Directory.CreateSymbolicLink(Path.Combine(dir, "bright", "loop"), dir);                 // the data folder: every class again
        Directory.CreateSymbolicLink(Path.Combine(dir, "bright", "more", "up"), "..");            // its own ancestor
        Directory.CreateSymbolicLink(Path.Combine(dir, "dark", "brights"), Path.Combine(dir, "bright")); // another class
        Directory.CreateSymbolicLink(Path.Combine(dir, "dark", "again"), Path.Combine(dir, "dark", "."));
        File.CreateSymbolicLink(Path.Combine(dir, "bright", "more", "same.png"), Path.Combine(dir, "bright", "0.png")); // inside its class: read
        using var split = DataSets.Load(new DataRequest { Data = new DataSetRef("images", dir, S(1, 8, 8), 0, []), ValidateFraction = 0.1 });
        var images = TorchSharp.torch.cat([split.Train.Images, split.Evaluation!.Images]);
        var labels = TorchSharp.torch.cat([split.Train.Labels, split.Evaluation.Labels]);
        Assert.Equal(12, (int)labels.shape[0]); // 5 + extra + same, and 5
        for (int i = 0; i < labels.shape[0]; i++)
            Assert.Equal(labels[i].item<long>() == 0 ? 230 : 20, images[i, 0, 4, 4].item<byte>());

        var outside = TestSetup.TempDir("outside-images");
        WritePng(Path.Combine(outside, "x.png"), 99);
        var link = Path.Combine(dir, "dark", "elsewhere");
        Directory.CreateSymbolicLink(link, outside);
        var e = Assert.Throws<TrainingException>(() => DataSets.Load(new DataRequest { Data = new DataSetRef("images", dir, S(1, 8, 8), 0, []) }));
        Assert.Contains($"{link} is a symbolic link to {outside}, outside the data folder {dir}", e.Message);
    }
}
