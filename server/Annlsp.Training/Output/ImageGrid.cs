using StbImageWriteSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Output;

/// <summary>
/// Sample grids as PNG: R×C images with a 2-pixel dark gutter. Classifier grids frame each test image
/// green (predicted right) or red (wrong) and print the predicted class number in its top-left corner
/// with a 3×5 pixel font (the class names are listed in run.json).
/// </summary>
public static class ImageGrid
{
    public const int Gutter = 2;

    /// <summary>Writes images [N, C, H, W] with values in [lo, hi] as an R×C grid PNG (RGB). Returns (width, height).</summary>
    public static (int Width, int Height) WritePng(string path, Tensor images, int rows, int cols, double lo, double hi,
        IReadOnlyList<int>? predicted = null, IReadOnlyList<bool>? correct = null)
    {
        using var scope = NewDisposeScope();
        var x = images.detach().cpu().to_type(ScalarType.Float32);
        x = ((x - lo) / (hi - lo)).clamp(0, 1).mul(255).round().to_type(ScalarType.Byte).contiguous();
        int n = (int)Math.Min(x.shape[0], rows * cols);
        int c = (int)x.shape[1], h = (int)x.shape[2], w = (int)x.shape[3];
        // Upscale small images so labels and frames stay legible.
        int scale = predicted is not null && h < 48 ? 2 : 1;
        int cellW = w * scale + 2 * Gutter, cellH = h * scale + 2 * Gutter;
        int width = cols * cellW, height = rows * cellH;
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = 24;
        var pixels = x.bytes.ToArray();
        for (int k = 0; k < n; k++)
        {
            int r = k / cols, col = k % cols;
            int ox = col * cellW + Gutter, oy = r * cellH + Gutter;
            for (int y = 0; y < h * scale; y++)
            for (int xx = 0; xx < w * scale; xx++)
            for (int ch = 0; ch < 3; ch++)
            {
                int srcC = c == 1 ? 0 : ch;
                byte v = pixels[((k * c + srcC) * h + y / scale) * w + xx / scale];
                rgb[((oy + y) * width + ox + xx) * 3 + ch] = v;
            }
            if (correct is not null && k < correct.Count)
            {
                var (cr, cg, cb) = correct[k] ? ((byte)40, (byte)200, (byte)60) : ((byte)230, (byte)40, (byte)40);
                for (int y = oy - Gutter; y < oy + h * scale + Gutter; y++)
                for (int xx = ox - Gutter; xx < ox + w * scale + Gutter; xx++)
                {
                    bool border = y < oy || y >= oy + h * scale || xx < ox || xx >= ox + w * scale;
                    if (!border) continue;
                    int o = (y * width + xx) * 3;
                    rgb[o] = cr; rgb[o + 1] = cg; rgb[o + 2] = cb;
                }
            }
            if (predicted is not null && k < predicted.Count)
                DrawNumber(rgb, width, ox + 1, oy + 1, predicted[k], correct is null || correct[k]);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
            new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, stream);
        File.Move(temp, path, overwrite: true);
        return (width, height);
    }

    // 3×5 digits, one row per string, '#' = ink.
    private static readonly string[] Digits =
    [
        "###,#.#,#.#,#.#,###", "..#,..#,..#,..#,..#", "###,..#,###,#..,###", "###,..#,###,..#,###", "#.#,#.#,###,..#,..#",
        "###,#..,###,..#,###", "###,#..,###,#.#,###", "###,..#,..#,..#,..#", "###,#.#,###,#.#,###", "###,#.#,###,..#,###",
    ];

    private static void DrawNumber(byte[] rgb, int width, int x, int y, int number, bool right)
    {
        var text = number.ToString();
        int boxW = text.Length * 4 + 1, boxH = 7;
        for (int yy = 0; yy < boxH; yy++)
        for (int xx = 0; xx < boxW; xx++)
        {
            int o = ((y + yy) * width + x + xx) * 3;
            if (o + 2 >= rgb.Length) continue;
            rgb[o] = 0; rgb[o + 1] = 0; rgb[o + 2] = 0;
        }
        for (int i = 0; i < text.Length; i++)
        {
            var rows = Digits[text[i] - '0'].Split(',');
            for (int ry = 0; ry < 5; ry++)
            for (int rx = 0; rx < 3; rx++)
            {
                if (rows[ry][rx] != '#') continue;
                int o = ((y + 1 + ry) * width + x + 1 + i * 4 + rx) * 3;
                if (o + 2 >= rgb.Length) continue;
                rgb[o] = 255; rgb[o + 1] = right ? (byte)255 : (byte)120; rgb[o + 2] = right ? (byte)255 : (byte)120;
            }
        }
    }
}
