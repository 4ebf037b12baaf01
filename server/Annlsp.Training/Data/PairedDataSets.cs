using Annlsp.Language.Semantics;
using StbImageSharp;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Data;

/// <summary>
/// The paired data sets of conditional gans: `edges(DATASET, size: HxW)` makes each image's edge map its input,
/// `pairs("dir", size: HxW, channels: 1|3, direction: AtoB|BtoA)` reads pix2pix's side-by-side files.
/// </summary>
public static class PairedDataSets
{
    /// <summary>An edge is where the gradient is at least this fraction of the image's strongest gradient.</summary>
    public const double EdgeThreshold = 0.25;

    /// <summary>
    /// The images resized to H×W (bilinear) are the targets; each one's edge map is its input: 1 channel, 255 on an
    /// edge and 0 elsewhere. The edge map is the Sobel gradient magnitude of the grey image (the channels' mean, border
    /// pixels repeated), thresholded at <see cref="EdgeThreshold"/> of the image's largest magnitude; a flat image has none.
    /// </summary>
    public static TensorDataSet Edges(TensorDataSet source, int h, int w)
    {
        const int Chunk = 4096; // bounds the float copies of a large data set
        var targets = new List<Tensor>();
        var inputs = new List<Tensor>();
        using (no_grad())
        {
            for (int start = 0; start < source.Count; start += Chunk)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(Chunk, source.Count - start);
                var x = source.Images.narrow(0, start, n).to_type(ScalarType.Float32).div_(255.0);
                if (x.shape[2] != h || x.shape[3] != w) x = F.interpolate(x, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
                var target = x.mul(255.0).round_().clamp_(0, 255).to_type(ScalarType.Byte);
                var edges = EdgeMap(x);
                targets.Add(target.MoveToOuterDisposeScope());
                inputs.Add(edges.MoveToOuterDisposeScope());
            }
        }
        var images = cat(targets, 0);
        var edgeMaps = cat(inputs, 0);
        foreach (var t in targets.Concat(inputs)) t.Dispose();
        return new TensorDataSet(images, source.Labels.clone(), source.ClassNames, $"edges of {source.Description}, {h}×{w}", edgeMaps);
    }

    /// <summary>Edge maps (bytes [N, 1, H, W]) of float images in [0, 1] ([N, C, H, W]).</summary>
    public static Tensor EdgeMap(Tensor images)
    {
        using var scope = NewDisposeScope();
        var grey = images.mean([1], keepdim: true);
        var padded = F.pad(grey, [1, 1, 1, 1], PaddingModes.Replicate);
        var sobelX = tensor(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, [1, 1, 3, 3], device: images.device);
        var gx = F.conv2d(padded, sobelX);
        var gy = F.conv2d(padded, sobelX.transpose(2, 3));
        var magnitude = (gx * gx + gy * gy).sqrt();
        var strongest = magnitude.amax([1, 2, 3], keepdim: true);
        var edge = magnitude.gt(strongest * EdgeThreshold).logical_and(magnitude.gt(1e-6));
        return edge.to_type(ScalarType.Byte).mul_(255).MoveToOuterDisposeScope();
    }

    private static readonly string[] TestFolders = ["val", "test"];
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    /// <summary>
    /// pix2pix's format: `train/` and `val/` or `test/` (else the folder itself, with no test split), each file an
    /// image holding A on the left and B on the right. Every file is read before training starts; the first that is
    /// empty, unreadable or not two halves side by side is an error naming it.
    /// </summary>
    public static (TensorDataSet Train, TensorDataSet? Test) LoadPairs(string dir, DataSetRef data)
    {
        if (!Directory.Exists(dir))
            throw new TrainingException($"pairs: folder {Path.GetFullPath(dir)} not found. It must hold images with the input and the target side by side (A left, B right), in train/ and val/ or test/ subfolders or directly");
        if (!data.Shape.IsImage) throw new TrainingException("pairs: the image size and channels are unknown");
        int c = (int)data.Shape[0], h = (int)data.Shape[1], w = (int)data.Shape[2];
        var trainDir = Directory.Exists(Path.Combine(dir, "train")) ? Path.Combine(dir, "train") : dir;
        var testDir = TestFolders.Select(s => Path.Combine(dir, s)).FirstOrDefault(Directory.Exists);
        bool bToA = data.Direction == "BtoA";
        var train = ReadPairs(trainDir, c, h, w, bToA, "pairs");
        var test = trainDir != dir && testDir is not null ? ReadPairs(testDir, c, h, w, bToA, $"pairs ({Path.GetFileName(testDir)})") : null;
        return (train, test);
    }

    private static TensorDataSet ReadPairs(string dir, int c, int h, int w, bool bToA, string description)
    {
        var files = Directory.EnumerateFiles(dir)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !Path.GetFileName(f).StartsWith('.'))
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new TrainingException($"pairs: no image files (PNG, JPEG, BMP …) in {Path.GetFullPath(dir)}");
        int size = c * h * w;
        var inputs = new byte[files.Length * size];
        var targets = new byte[files.Length * size];
        var errors = new string?[files.Length];
        Parallel.For(0, files.Length, k =>
        {
            var path = files[k];
            ImageResult img;
            try
            {
                var bytes = File.ReadAllBytes(path);
                if (bytes.Length == 0) { errors[k] = $"pairs: {path} is empty (0 bytes); delete it or replace it with an image"; return; }
                img = ImageResult.FromMemory(bytes, c == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors[k] = $"pairs: cannot read {path} as an image ({e.Message.TrimEnd('.')}); it may be truncated — delete it or replace it with a PNG, JPEG, BMP, GIF or TGA file";
                return;
            }
            if (img.Width < 2 || img.Width % 2 != 0)
            {
                errors[k] = $"pairs: {path} is {img.Width}×{img.Height}, but a pair is two images of the same size side by side, so its width must be even (such as 512×256 for two 256×256 halves)";
                return;
            }
            int half = img.Width / 2;
            var left = Half(img.Data, img.Width, img.Height, c, 0, half);
            var right = Half(img.Data, img.Width, img.Height, c, half, half);
            var (a, b) = bToA ? (right, left) : (left, right);
            DataSets.ResizeToPlanar(a, half, img.Height, c, w, h, inputs.AsSpan(k * size, size));
            DataSets.ResizeToPlanar(b, half, img.Height, c, w, h, targets.AsSpan(k * size, size));
        });
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw new TrainingException(errors.Count(e => e is not null) is var bad && bad > 1 ? $"{error} ({bad - 1} more bad files)" : error);
        return new TensorDataSet(tensor(targets, [files.Length, c, h, w]), zeros(files.Length, dtype: ScalarType.Int64), [], description,
            tensor(inputs, [files.Length, c, h, w]));
    }

    /// <summary>Columns [x0, x0 + width) of interleaved pixels (H×W×C).</summary>
    private static byte[] Half(byte[] data, int width, int height, int c, int x0, int half)
    {
        var result = new byte[half * height * c];
        for (int y = 0; y < height; y++)
            Buffer.BlockCopy(data, (y * width + x0) * c, result, y * half * c, half * c);
        return result;
    }
}
