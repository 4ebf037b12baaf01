using static TorchSharp.torch;

namespace Annlsp.Training.Data;

/// <summary>
/// `random_flip` and `random_shift` (docs/training.md, "Augmentation"): each training image of a batch mirrored
/// left-right with probability ½ and moved by up to `shift` pixels down or up and right or left, the
/// uncovered border 0 (black) — torchvision's RandomHorizontalFlip and RandomCrop(padding). Works on the raw images
/// ([B, C, H, W], any dtype) before normalisation. The draws come from a CPU generator seeded with the run's seed and
/// the global step, so a run and its resume, and every device, draw the same.
/// </summary>
public sealed class BatchAugmentation(bool flip, int shift, int seed)
{
    public static readonly BatchAugmentation None = new(false, 0, 0);

    public bool IsIdentity => !flip && shift == 0;

    /// <summary>What the batch of <paramref name="globalStep"/> draws: per image a flip and a move (dy, dx), each in [−shift, shift].</summary>
    public (bool[] Flips, (int Dy, int Dx)[] Moves) Draw(long batch, long globalStep)
    {
        using var generator = new Generator(unchecked((ulong)seed * 1_000_003UL + 0xA56UL + (ulong)globalStep));
        var flips = new bool[batch];
        var moves = new (int, int)[batch];
        if (flip)
        {
            using var coins = rand([batch], generator: generator);
            var c = coins.data<float>().ToArray();
            for (int i = 0; i < batch; i++) flips[i] = c[i] < 0.5f;
        }
        if (shift > 0)
        {
            using var offsets = randint(-shift, shift + 1, [batch, 2], generator: generator, dtype: ScalarType.Int64);
            var o = offsets.data<long>().ToArray();
            for (int i = 0; i < batch; i++) moves[i] = ((int)o[2 * i], (int)o[2 * i + 1]);
        }
        return (flips, moves);
    }

    /// <summary>The batch of <paramref name="globalStep"/>, augmented; each of several tensors (a pix2pix input and target) gets the same draws.</summary>
    public Tensor[] Apply(Tensor[] images, long globalStep)
    {
        if (IsIdentity) return images;
        var (flips, moves) = Draw(images[0].shape[0], globalStep);
        return images.Select(x => Apply(x, flips, moves)).ToArray();
    }

    /// <summary>Images [B, C, H, W] with image b mirrored where <paramref name="flips"/>[b] and then moved down by Dy and right by Dx (negative: up, left).</summary>
    public static Tensor Apply(Tensor images, bool[] flips, (int Dy, int Dx)[] moves)
    {
        var x = images;
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (flips.Any(f => f))
        {
            var mask = tensor(flips, device: x.device).view(b, 1, 1, 1);
            x = where(mask, x.flip(3), x);
        }
        int s = moves.Length == 0 ? 0 : moves.Max(m => Math.Max(Math.Abs(m.Dy), Math.Abs(m.Dx)));
        if (s == 0) return x;
        // out[i, j] = padded[i + s − dy, j + s − dx]: two gathers, rows then columns, for the whole batch at once
        var padded = nn.functional.pad(x, [s, s, s, s]);
        var rowStart = tensor(moves.Select(m => (long)(s - m.Dy)).ToArray(), device: x.device).view(b, 1);
        var colStart = tensor(moves.Select(m => (long)(s - m.Dx)).ToArray(), device: x.device).view(b, 1);
        var rows = (rowStart + arange(h, dtype: ScalarType.Int64, device: x.device).view(1, h)).view(b, 1, h, 1).expand(b, c, h, w + 2 * s);
        var cols = (colStart + arange(w, dtype: ScalarType.Int64, device: x.device).view(1, w)).view(b, 1, 1, w).expand(b, c, h, w);
        return padded.gather(2, rows).gather(3, cols);
    }
}
