using System.Buffers.Binary;
using System.IO.Compression;
using Annlsp.Language.Semantics;
using StbImageSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Data;

/// <summary>What to load: the data set, how many examples at most, how to hold some out.</summary>
public sealed record DataRequest
{
    public required DataSetRef Data { get; init; }
    /// <summary>At most this many training examples (and evaluation examples), for quick runs.</summary>
    public int? Limit { get; init; }
    /// <summary>Held-out fraction of the training data, or null to evaluate on the test set.</summary>
    public double? ValidateFraction { get; init; }
    public int Seed { get; init; }
    /// <summary>GANs need no evaluation data.</summary>
    public bool NeedEvaluation { get; init; } = true;
}

/// <summary>The data sets of the language: fashion_mnist, mnist("dir"), cifar10("dir"), images("dir", size, channels), shapes, and the paired edges(…) and pairs(…).</summary>
public static class DataSets
{
    public const string FashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
    public const string FashionMnistEnvironmentVariable = "ANNLSP_FASHION_MNIST";
    public static readonly string[] FashionMnistClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    public static readonly string[] Cifar10Classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
    public const int ShapesTrainCount = 6000, ShapesTestCount = 1000;

    public static DataSplit Load(DataRequest request)
    {
        var data = request.Data;
        var (train, test) = LoadSplits(data, request);

        if (data.Shape.IsKnown && !train.ImageShape.SequenceEqual(data.Shape.Dims))
            throw new TrainingException($"{data.Name} gives images of {string.Join("×", train.ImageShape)}, but the checker expected {data.Shape}");

        if (request.Limit is int limit && limit > 0 && limit < train.Count)
        {
            var smaller = train.Take(limit);
            train = smaller;
        }
        if (!request.NeedEvaluation) { test?.Dispose(); return new DataSplit(train, null, "none"); }
        if (request.ValidateFraction is double fraction && fraction > 0)
        {
            test?.Dispose();
            var (t, held) = train.Split(fraction, request.Seed);
            return new DataSplit(t, held, "validation");
        }
        if (test is null)
        {
            var (t, held) = train.Split(0.1, request.Seed);
            return new DataSplit(t, held, "validation");
        }
        if (request.Limit is int l2 && l2 > 0 && l2 < test.Count) test = test.Take(Math.Max(l2, 500));
        return new DataSplit(train, test, "test");
    }

    /// <summary>The data set's training and test images (null: it has no test split), before any limit or hold-out.</summary>
    private static (TensorDataSet Train, TensorDataSet? Test) LoadSplits(DataSetRef data, DataRequest request)
    {
        if (data.Name == "edges")
        {
            var source = data.Source ?? throw new TrainingException("edges: no data set to take the edges of");
            var (images, tests) = LoadSplits(source, request);
            if (request.Limit is int l && l > 0 && l < images.Count) images = images.Take(l);
            if (request.Limit is int lt && lt > 0 && tests is not null && Math.Max(lt, 500) < tests.Count) tests = tests.Take(Math.Max(lt, 500));
            int h = (int)data.Shape[1], w = (int)data.Shape[2];
            using (images)
            using (tests)
                return (PairedDataSets.Edges(images, h, w), tests is null ? null : PairedDataSets.Edges(tests, h, w));
        }
        return data.Name switch
        {
            "shapes" => LoadShapes(request),
            "fashion_mnist" => LoadIdxPair(FashionMnistDir(data.Directory), "fashion_mnist", FashionMnistClasses,
                "install Debian's package: sudo apt-get install -y dataset-fashion-mnist (puts the files in /usr/share/datasets/fashion-mnist), " +
                $"or name a folder with the four IDX files: fashion_mnist(\"dir\") or the {FashionMnistEnvironmentVariable} environment variable"),
            "mnist" => LoadIdxPair(RequireDir(data, "mnist"), "mnist", Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray(),
                "put the four MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) in that folder"),
            "cifar10" => LoadCifar10(RequireDir(data, "cifar10")),
            "images" => LoadImageFolder(RequireDir(data, "images"), data),
            "pairs" => PairedDataSets.LoadPairs(RequireDir(data, "pairs"), data),
            _ => throw new TrainingException($"unknown data set '{data.Name}' (expected fashion_mnist, mnist, cifar10, images, shapes, edges or pairs)"),
        };
    }

    public static string FashionMnistDir(string? explicitDir) =>
        explicitDir ?? Environment.GetEnvironmentVariable(FashionMnistEnvironmentVariable) ?? FashionMnistDefaultDir;

    private static string RequireDir(DataSetRef data, string name) =>
        data.Directory ?? throw new TrainingException($"{name} needs a folder: {name}(\"path/to/folder\")");

    private static (TensorDataSet, TensorDataSet?) LoadShapes(DataRequest request)
    {
        int trainCount = request.Limit is int l && l > 0 ? Math.Min(l, ShapesTrainCount) : ShapesTrainCount;
        var (px, lb) = ShapesDataSet.Generate(trainCount, 1234);
        var train = new TensorDataSet(tensor(px, [trainCount, 1, 28, 28]), tensor(lb), ShapesDataSet.ClassNames, "shapes (generated)");
        var (tpx, tlb) = ShapesDataSet.Generate(ShapesTestCount, 98765);
        var test = new TensorDataSet(tensor(tpx, [ShapesTestCount, 1, 28, 28]), tensor(tlb), ShapesDataSet.ClassNames, "shapes (generated, test)");
        return (train, test);
    }

    // ---- IDX (MNIST, Fashion-MNIST) ----

    private static (TensorDataSet, TensorDataSet?) LoadIdxPair(string dir, string name, string[] classes, string howToGet)
    {
        string Find(string stem)
        {
            foreach (var candidate in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx") + ".gz", stem.Replace("-idx", ".idx") })
            {
                var p = Path.Combine(dir, candidate);
                if (File.Exists(p)) return p;
            }
            throw new TrainingException($"{name}: {Path.Combine(dir, stem + ".gz")} not found (tried {Path.GetFullPath(dir)}). To get it: {howToGet}");
        }
        var trainImages = Find("train-images-idx3-ubyte");
        var trainLabels = Find("train-labels-idx1-ubyte");
        var testImages = Find("t10k-images-idx3-ubyte");
        var testLabels = Find("t10k-labels-idx1-ubyte");
        return (ReadIdx(trainImages, trainLabels, classes, name), ReadIdx(testImages, testLabels, classes, name + " (test)"));
    }

    private static TensorDataSet ReadIdx(string imagesPath, string labelsPath, string[] classes, string description)
    {
        var (imageDims, pixels) = ReadIdxFile(imagesPath, 3);
        var (labelDims, labels) = ReadIdxFile(labelsPath, 1);
        if (imageDims[0] != labelDims[0]) throw new TrainingException($"{imagesPath} has {imageDims[0]} images but {labelsPath} has {labelDims[0]} labels; one of them is damaged or from another data set — download both again");
        CheckLabels(labelsPath, labels, 0, 1, classes.Length);
        var images = tensor(pixels, [imageDims[0], 1, imageDims[1], imageDims[2]]);
        return new TensorDataSet(images, tensor(labels.Select(b => (long)b).ToArray()), classes, description);
    }

    /// <summary>Every label (each <paramref name="stride"/> bytes from <paramref name="offset"/>) must name a class; checked before training starts.</summary>
    private static void CheckLabels(string path, byte[] bytes, int offset, int stride, int classCount)
    {
        for (int o = offset, k = 0; o < bytes.Length; o += stride, k++)
            if (bytes[o] >= classCount)
                throw new TrainingException($"{path}: label {bytes[o]} of item {k} is not a class of this data set (0–{classCount - 1}); the file is damaged or from another data set — download it again");
    }

    /// <summary>
    /// Reads an IDX file of unsigned bytes (gzip-compressed when the name ends in .gz). A damaged file — a
    /// bad header, a count that cannot be, data shorter than the header promises, broken gzip — is a
    /// <see cref="TrainingException"/> naming the file; no more memory is taken than the file really holds.
    /// </summary>
    public static (int[] Dims, byte[] Data) ReadIdxFile(string path, int rank)
    {
        const string Fix = "the file is damaged or incomplete — download it again";
        try
        {
            using var file = File.OpenRead(path);
            bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            using Stream stream = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
            var header = new byte[4 + 4 * rank];
            if (ReadUpTo(stream, header, header.Length) < header.Length)
                throw new TrainingException($"{path} ends inside its IDX header; {Fix}");
            if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != rank)
                throw new TrainingException($"{path} is not an IDX file of {rank}-d unsigned bytes; {Fix}");
            var dims = Enumerable.Range(0, rank).Select(i => BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * i))).ToArray();
            string what = rank == 1 ? $"{dims[0]} labels" : $"{dims[0]} images of {string.Join("×", dims.Skip(1))}";
            if (dims.Any(d => d <= 0)) throw new TrainingException($"{path}: its header says {what}, which cannot be; {Fix}");
            long total = dims.Aggregate(1L, (a, d) => a * d);
            if (total > Array.MaxLength) throw new TrainingException($"{path}: its header says {what} ({Count(total)} bytes), more than a data set can hold; {Fix}");
            if (!gz && file.Length - header.Length < total)
                throw new TrainingException($"{path} is truncated: its header says {what} ({Count(total)} bytes) but it holds {Count(file.Length - header.Length)}; {Fix}");
            // Compressed: read in chunks, so a header promising more than the file holds costs no more than what is there.
            var chunks = new List<byte[]>();
            long read = 0;
            while (read < total)
            {
                var chunk = new byte[(int)Math.Min(total - read, 16 << 20)];
                int n = ReadUpTo(stream, chunk, chunk.Length);
                read += n;
                if (n < chunk.Length)
                    throw new TrainingException($"{path} is truncated: its header says {what} ({Count(total)} bytes) but the data ends after {Count(read)}; {Fix}");
                chunks.Add(chunk);
            }
            var data = chunks.Count == 1 ? chunks[0] : new byte[total];
            if (chunks.Count > 1)
            {
                long at = 0;
                foreach (var chunk in chunks) { chunk.CopyTo(data, at); at += chunk.Length; }
            }
            return (dims, data);
        }
        catch (InvalidDataException e) { throw new TrainingException($"{path} is not valid gzip data ({e.Message.TrimEnd('.')}); {Fix}"); }
        catch (EndOfStreamException) { throw new TrainingException($"{path} is truncated (the compressed data ends early); {Fix}"); }
    }

    private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads until <paramref name="count"/> bytes or the end; returns how many were read.</summary>
    private static int ReadUpTo(Stream stream, byte[] buffer, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = stream.Read(buffer, total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    // ---- CIFAR-10, binary version ----

    private static (TensorDataSet, TensorDataSet?) LoadCifar10(string dir)
    {
        var root = Directory.Exists(Path.Combine(dir, "cifar-10-batches-bin")) ? Path.Combine(dir, "cifar-10-batches-bin") : dir;
        var trainFiles = Enumerable.Range(1, 5).Select(i => Path.Combine(root, $"data_batch_{i}.bin")).ToArray();
        var testFile = Path.Combine(root, "test_batch.bin");
        foreach (var f in trainFiles.Append(testFile))
            if (!File.Exists(f))
                throw new TrainingException($"cifar10: {f} not found. To get it: download the CIFAR-10 binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), unpack it and name the folder: cifar10(\"{dir}\")");
        return (ReadCifar(trainFiles, "cifar10"), ReadCifar([testFile], "cifar10 (test)"));
    }

    private static TensorDataSet ReadCifar(string[] files, string description)
    {
        const int record = 1 + 3 * 32 * 32;
        var all = files.Select(File.ReadAllBytes).ToArray();
        for (int f = 0; f < files.Length; f++)
        {
            if (all[f].Length == 0 || all[f].Length % record != 0)
                throw new TrainingException($"{files[f]} holds {Count(all[f].Length)} bytes, not a whole number of {Count(record)}-byte CIFAR-10 records; the file is damaged or incomplete — download the binary version again");
            CheckLabels(files[f], all[f], 0, record, Cifar10Classes.Length);
        }
        int n = all.Sum(b => b.Length / record);
        var pixels = new byte[n * 3072];
        var labels = new long[n];
        int k = 0;
        foreach (var bytes in all)
            for (int o = 0; o + record <= bytes.Length; o += record, k++)
            {
                labels[k] = bytes[o];
                Buffer.BlockCopy(bytes, o + 1, pixels, k * 3072, 3072);
            }
        return new TensorDataSet(tensor(pixels, [n, 3, 32, 32]), tensor(labels), Cifar10Classes, description);
    }

    // ---- images("dir", size, channels): one subfolder per class ----

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    private static (TensorDataSet, TensorDataSet?) LoadImageFolder(string dir, DataSetRef data)
    {
        if (!Directory.Exists(dir))
            throw new TrainingException($"images: folder {Path.GetFullPath(dir)} not found. It must hold one subfolder per class with the images inside (PNG, JPEG, BMP …), optionally split into train/ and test/");
        if (!data.Shape.IsImage) throw new TrainingException("images: the image size and channels are unknown");
        int c = (int)data.Shape[0], h = (int)data.Shape[1], w = (int)data.Shape[2];
        var dataRoot = RealPaths.Resolve(dir); // nothing is read from outside it
        bool split = Directory.Exists(Path.Combine(dir, "train")) && Directory.Exists(Path.Combine(dir, "test"));
        var trainDir = split ? Path.Combine(dir, "train") : dir;
        var classes = Directory.GetDirectories(trainDir).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new TrainingException($"images: {Path.GetFullPath(trainDir)} has no class subfolders");
        var train = ReadImageTree(dataRoot, trainDir, classes, c, h, w, "images");
        var test = split ? ReadImageTree(dataRoot, Path.Combine(dir, "test"), classes, c, h, w, "images (test)") : null;
        return (train, test);
    }

    private static TensorDataSet ReadImageTree(string dataRoot, string dir, string[] classes, int c, int h, int w, string description)
    {
        var files = new List<(string Path, int Label)>();
        for (int i = 0; i < classes.Length; i++)
        {
            var classDir = Path.Combine(dir, classes[i]);
            if (!Directory.Exists(classDir)) continue;
            var classRoot = RealPaths.Resolve(classDir);
            if (!RealPaths.IsInside(classRoot, dataRoot)) throw LinkOutOfDataFolder(classDir, classRoot, dataRoot);
            var found = new List<string>();
            CollectImages(classDir, classRoot, classRoot, dataRoot, new HashSet<string>(StringComparer.Ordinal) { classRoot }, found);
            files.AddRange(found.OrderBy(f => f, StringComparer.Ordinal).Select(f => (f, i)));
        }
        if (files.Count == 0) throw new TrainingException($"images: no image files (PNG, JPEG, BMP …) under {Path.GetFullPath(dir)}");
        var pixels = new byte[files.Count * c * h * w];
        var labels = new long[files.Count];
        var errors = new string?[files.Count];
        Parallel.For(0, files.Count, k =>
        {
            var (path, label) = files[k];
            ImageResult img;
            try
            {
                using var s = File.OpenRead(path);
                if (s.Length == 0) { errors[k] = $"images: {path} is empty (0 bytes); delete it or replace it with an image"; return; }
                img = ImageResult.FromStream(s, c == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors[k] = $"images: cannot read {path} as an image ({e.Message.TrimEnd('.')}); delete it or replace it with a PNG, JPEG, BMP, GIF or TGA file";
                return;
            }
            ResizeToPlanar(img.Data, img.Width, img.Height, c, w, h, pixels.AsSpan(k * c * h * w, c * h * w));
            labels[k] = label;
        });
        // the first bad file in file order, whichever thread met it first
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw new TrainingException(errors.Count(e => e is not null) is var bad && bad > 1 ? $"{error} ({bad - 1} more unreadable files)" : error);
        return new TensorDataSet(tensor(pixels, [files.Count, c, h, w]), tensor(labels), classes, description);
    }

    /// <summary>
    /// The image files below a class folder. Symbolic links are followed only while they stay inside the
    /// class folder, and each real folder is read once (a link to an ancestor is a loop); a link elsewhere in
    /// the data folder is skipped (those images belong to another class or split and are read there), and a
    /// link out of the data folder is an error.
    /// </summary>
    private static void CollectImages(string shownDir, string realDir, string classRoot, string dataRoot, HashSet<string> visited, List<string> found)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(shownDir))
        {
            bool link = new FileInfo(entry).LinkTarget is not null;
            var real = link ? RealPaths.Resolve(entry) : Path.Join(realDir, Path.GetFileName(entry));
            if (link && !RealPaths.IsInside(real, dataRoot)) throw LinkOutOfDataFolder(entry, real, dataRoot);
            if (link && !RealPaths.IsInside(real, classRoot)) continue;
            if (Directory.Exists(entry))
            {
                if (visited.Add(real)) CollectImages(entry, real, classRoot, dataRoot, visited, found);
            }
            else if (ImageExtensions.Contains(Path.GetExtension(entry).ToLowerInvariant()) && File.Exists(entry))
                found.Add(entry);
        }
    }

    private static TrainingException LinkOutOfDataFolder(string link, string target, string dataRoot) =>
        new($"images: {link} is a symbolic link to {target}, outside the data folder {dataRoot}; links out of the data folder are not followed: copy the images into it, or name a data folder that holds them");

    /// <summary>Bilinear resize of interleaved pixels (H×W×C) into planar C×H'×W'.</summary>
    public static void ResizeToPlanar(byte[] src, int sw, int sh, int c, int dw, int dh, Span<byte> dst)
    {
        for (int y = 0; y < dh; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sh / dh - 0.5, 0, sh - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, sh - 1); double ty = fy - y0;
            for (int x = 0; x < dw; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sw / dw - 0.5, 0, sw - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, sw - 1); double tx = fx - x0;
                for (int ch = 0; ch < c; ch++)
                {
                    double a = src[(y0 * sw + x0) * c + ch], b = src[(y0 * sw + x1) * c + ch];
                    double d = src[(y1 * sw + x0) * c + ch], e = src[(y1 * sw + x1) * c + ch];
                    double v = (a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
                    dst[ch * dh * dw + y * dw + x] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                }
            }
        }
    }
}
