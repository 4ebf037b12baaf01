using System.Globalization;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Data;

/// <summary>
/// How a classifier's input is fed: pixels scaled to [0, 1], then standardised per channel with the
/// training set's mean and standard deviation, x' = (x / 255 − mean) / std (torchvision's Normalize).
/// The statistics are computed once from the training split (after any hold-out) and recorded in
/// run.json and the checkpoint; the exported module carries them as <c>input_mean</c> / <c>input_std</c>.
/// </summary>
public sealed class InputStandardisation : IDisposable
{
    private readonly Tensor? scale, shift; // [1, C, 1, 1] on the device, for more than one channel

    public InputStandardisation(double[] mean, double[] std, Device device)
    {
        if (mean.Length != std.Length || mean.Length == 0) throw new ArgumentException("mean and std need one value per channel");
        Mean = mean;
        Std = std.Select(s => s > 1e-6 ? s : 1.0).ToArray(); // a constant channel is only centred
        if (mean.Length > 1)
        {
            // x' = bytes · 1/(255·std) − mean/std: two kernels after the byte → float conversion, as for [0, 1]
            scale = tensor(Std.Select(s => (float)(1.0 / (255.0 * s))).ToArray(), [1, mean.Length, 1, 1]).to(device);
            shift = tensor(Mean.Select((m, i) => (float)(-m / Std[i])).ToArray(), [1, mean.Length, 1, 1]).to(device);
        }
    }

    /// <summary>Per-channel mean of the pixels scaled to [0, 1].</summary>
    public double[] Mean { get; }
    /// <summary>Per-channel (population) standard deviation of the pixels scaled to [0, 1].</summary>
    public double[] Std { get; }

    /// <summary>The statistics of a byte image tensor [N, C, H, W], accumulated in float64 over chunks (no full-size float copy).</summary>
    public static InputStandardisation FromData(Tensor images, Device device)
    {
        if (images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W]");
        int channels = (int)images.shape[1];
        long n = images.shape[0];
        var sum = new double[channels];
        var sumSq = new double[channels];
        const long chunk = 2048;
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                var x = images.narrow(0, start, Math.Min(chunk, n - start)).to_type(ScalarType.Float64);
                var s = x.sum([0, 2, 3]).cpu().data<double>().ToArray();
                var q = x.mul(x).sum([0, 2, 3]).cpu().data<double>().ToArray();
                for (int c = 0; c < channels; c++) { sum[c] += s[c]; sumSq[c] += q[c]; }
            }
        }
        double count = Math.Max(1, n * images.shape[2] * images.shape[3]);
        var mean = new double[channels];
        var std = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / count;
            mean[c] = m / 255.0;
            std[c] = Math.Sqrt(Math.Max(0, sumSq[c] / count - m * m)) / 255.0;
        }
        return new InputStandardisation(mean, std, device);
    }

    /// <summary>A float batch from bytes [N, C, H, W].</summary>
    public Tensor Apply(Tensor bytes)
    {
        var x = bytes.to_type(ScalarType.Float32);
        if (scale is not null) return x.mul_(scale).add_(shift!);
        return x.mul_(1.0 / (255.0 * Std[0])).sub_(Mean[0] / Std[0]);
    }

    public JsonObject ToJson() => new()
    {
        ["kind"] = "standardised: (x / 255 - mean) / std",
        ["mean"] = new JsonArray(Mean.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
        ["std"] = new JsonArray(Std.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
    };

    /// <summary>Reads <see cref="ToJson"/>'s mean and std (from run.json or a checkpoint's meta); null when absent.</summary>
    public static (double[] Mean, double[] Std)? Read(JsonNode? node)
    {
        if (node?["mean"] is not JsonArray mean || node["std"] is not JsonArray std || mean.Count == 0 || mean.Count != std.Count) return null;
        return (mean.Select(v => (double)v!).ToArray(), std.Select(v => (double)v!).ToArray());
    }

    public override string ToString() =>
        string.Join(", ", Mean.Select((m, i) => string.Create(CultureInfo.InvariantCulture, $"mean {m:0.####} std {Std[i]:0.####}")));

    public void Dispose()
    {
        scale?.Dispose();
        shift?.Dispose();
    }
}
