using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Data;

/// <summary>
/// A data set held as one tensor: images as bytes [N, C, H, W] (0–255) and labels [N] (int64), on one
/// device. Batches are slices / index selections of it and are normalised on the fly, so no per-batch
/// managed arrays exist (passing a float array per batch kept hundreds of MB of managed memory alive).
/// A paired data set (pix2pix) also holds <see cref="Inputs"/>: the image each target <see cref="Images"/> is made from.
/// </summary>
public sealed class TensorDataSet : IDisposable
{
    public TensorDataSet(Tensor images, Tensor labels, IReadOnlyList<string> classNames, string description, Tensor? inputs = null)
    {
        if (images.dtype != ScalarType.Byte) throw new ArgumentException("images must be uint8");
        if (images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W]");
        if (labels.shape[0] != images.shape[0]) throw new ArgumentException("images and labels differ in count");
        if (inputs is not null && (inputs.dtype != ScalarType.Byte || inputs.dim() != 4 || inputs.shape[0] != images.shape[0]))
            throw new ArgumentException("inputs must be uint8 [N, C, H, W], one per image");
        Images = images;
        Labels = labels.to_type(ScalarType.Int64);
        Inputs = inputs;
        ClassNames = classNames;
        Description = description;
    }

    public Tensor Images { get; private set; }
    public Tensor Labels { get; private set; }
    /// <summary>Paired data sets: the input image of each example (bytes [N, C', H, W]); null otherwise.</summary>
    public Tensor? Inputs { get; private set; }
    public IReadOnlyList<string> ClassNames { get; }
    public string Description { get; }
    public int Count => (int)Images.shape[0];
    public long[] ImageShape => Images.shape[1..];

    /// <summary>Keeps the first <paramref name="count"/> examples.</summary>
    public TensorDataSet Take(int count) => Slice(0, Math.Min(count, Count));

    public TensorDataSet Slice(int start, int count) =>
        new(Images.narrow(0, start, count), Labels.narrow(0, start, count), ClassNames, Description, Inputs?.narrow(0, start, count));

    /// <summary>Moves the data to <paramref name="device"/> once (a GPU run slices batches on the GPU).</summary>
    public TensorDataSet To(Device device)
    {
        if (Images.device == device) return this;
        var images = Images.to(device);
        var labels = Labels.to(device);
        var inputs = Inputs?.to(device);
        Images.Dispose(); Labels.Dispose(); Inputs?.Dispose();
        Images = images; Labels = labels; Inputs = inputs;
        return this;
    }

    /// <summary>A float batch: [0, 1] for classifiers, [-1, 1] for GANs.</summary>
    public static Tensor Normalise(Tensor bytes, bool symmetric)
    {
        var x = bytes.to_type(ScalarType.Float32);
        return symmetric ? x.div_(127.5).sub_(1.0) : x.div_(255.0);
    }

    /// <summary>Splits off the last <paramref name="fraction"/> as a held-out set (after a seeded shuffle).</summary>
    public (TensorDataSet Train, TensorDataSet Held) Split(double fraction, long seed)
    {
        var gen = new Generator((ulong)seed);
        using var perm = randperm(Count, generator: gen, device: Images.device);
        var images = Images.index_select(0, perm);
        var labels = Labels.index_select(0, perm);
        var inputs = Inputs?.index_select(0, perm);
        int held = Math.Max(1, (int)Math.Round(Count * fraction));
        int train = Count - held;
        return (new TensorDataSet(images.narrow(0, 0, train), labels.narrow(0, 0, train), ClassNames, Description, inputs?.narrow(0, 0, train)),
                new TensorDataSet(images.narrow(0, train, held), labels.narrow(0, train, held), ClassNames, Description + " (held out)", inputs?.narrow(0, train, held)));
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Inputs?.Dispose();
    }
}

/// <summary>Training data and the evaluation data (a test set, or a held-out part of the training data).</summary>
public sealed class DataSplit(TensorDataSet train, TensorDataSet? evaluation, string evaluationName) : IDisposable
{
    public TensorDataSet Train { get; } = train;
    public TensorDataSet? Evaluation { get; } = evaluation;
    /// <summary>"test" or "validation".</summary>
    public string EvaluationName { get; } = evaluationName;

    public void Dispose()
    {
        Train.Dispose();
        Evaluation?.Dispose();
    }
}
