namespace Annlsp.Training.Data;

/// <summary>
/// The generated data set `shapes`: 1×28×28 grey line drawings of a circle, a square, a triangle or a
/// cross, white on black, with random position, size, stroke width and a small rotation, plus faint
/// noise. Deterministic for a seed; any count; needs no files. Drawn with signed distances, so edges are
/// anti-aliased.
/// </summary>
public static class ShapesDataSet
{
    public const int Size = 28;
    public static readonly string[] ClassNames = ["circle", "square", "triangle", "cross"];

    /// <summary>Images as bytes (N×28×28, row-major) and labels (cycling through the classes, then shuffled).</summary>
    public static (byte[] Pixels, long[] Labels) Generate(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * Size * Size];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.Next(ClassNames.Length);
            labels[i] = label;
            Draw(label, rng, pixels.AsSpan(i * Size * Size, Size * Size));
        }
        return (pixels, labels);
    }

    private static void Draw(int label, Random rng, Span<byte> image)
    {
        double r = 6 + rng.NextDouble() * 5.5;                 // "radius" 6–11.5 px
        double margin = r + 1.5;
        double cx = margin + rng.NextDouble() * (Size - 2 * margin);
        double cy = margin + rng.NextDouble() * (Size - 2 * margin);
        double stroke = 1.3 + rng.NextDouble() * 1.7;          // 1.3–3 px
        double angle = (rng.NextDouble() - 0.5) * (Math.PI / 6); // ±15°
        double brightness = 0.7 + rng.NextDouble() * 0.3;

        // Outline segments in the shape's own frame (unit radius), then scaled, rotated and moved.
        (double X, double Y)[] points = label switch
        {
            1 => [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8), (-0.8, -0.8)],
            2 => [(0, -1), (0.92, 0.6), (-0.92, 0.6), (0, -1)],
            _ => [],
        };
        var segments = new List<(double Ax, double Ay, double Bx, double By)>();
        for (int k = 0; k + 1 < points.Length; k++) segments.Add((points[k].X, points[k].Y, points[k + 1].X, points[k + 1].Y));
        if (label == 3) { segments.Add((-1, 0, 1, 0)); segments.Add((0, -1, 0, 1)); }
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var world = segments.Select(s => (
            cx + r * (s.Ax * cos - s.Ay * sin), cy + r * (s.Ax * sin + s.Ay * cos),
            cx + r * (s.Bx * cos - s.By * sin), cy + r * (s.Bx * sin + s.By * cos))).ToArray();

        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
        {
            double px = x + 0.5, py = y + 0.5;
            double d;
            if (label == 0) d = Math.Abs(Math.Sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy)) - r * 0.85);
            else
            {
                d = double.MaxValue;
                foreach (var s in world) d = Math.Min(d, SegmentDistance(px, py, s.Item1, s.Item2, s.Item3, s.Item4));
            }
            double v = Math.Clamp(stroke / 2 - d + 0.5, 0, 1) * brightness + rng.NextDouble() * 0.06;
            image[y * Size + x] = (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);
        }
    }

    private static double SegmentDistance(double px, double py, double ax, double ay, double bx, double by)
    {
        double dx = bx - ax, dy = by - ay;
        double t = Math.Clamp(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1);
        double qx = ax + t * dx - px, qy = ay + t * dy - py;
        return Math.Sqrt(qx * qx + qy * qy);
    }
}
