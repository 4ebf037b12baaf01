using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>`reshape(CxHxW)`: keeps the batch dimension, reshapes the rest.</summary>
public sealed class Reshape : nn.Module<Tensor, Tensor>
{
    private readonly long[] shape;

    public Reshape(long[] shape) : base("Reshape") { this.shape = shape; }

    public long[] Shape => shape;

    public override Tensor forward(Tensor input) => input.reshape([input.shape[0], .. shape]);
}

/// <summary>`globalpool(avg|max)`: C×H×W → C.</summary>
public sealed class GlobalPool : nn.Module<Tensor, Tensor>
{
    private readonly bool max;

    public GlobalPool(bool max) : base("GlobalPool") { this.max = max; }

    public bool IsMax => max;

    public override Tensor forward(Tensor input) =>
        max ? input.amax([2, 3]) : input.mean([2, 3]);
}


/// <summary>
/// `minibatchstd(group)` (Karras et al. 2018): [N, C, H, W] → [N, C + 1, H, W]. The batch is split into groups of G
/// examples (example i in group i mod N/G, as ProGAN's reshape does), the standard deviation over each group of every
/// feature is averaged to one number per group, and that number is appended as a channel to each of its examples.
/// </summary>
public sealed class MinibatchStd : nn.Module<Tensor, Tensor>
{
    private readonly int group;

    public MinibatchStd(int group) : base("MinibatchStd") { this.group = group; }

    public int Group => group;

    /// <summary>The largest group size ≤ <paramref name="group"/> that divides <paramref name="batch"/>.</summary>
    public static long GroupSize(long batch, int group)
    {
        long g = Math.Min(group, batch);
        while (batch % g != 0) g--;
        return g;
    }

    public override Tensor forward(Tensor input)
    {
        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        long g = GroupSize(n, group);
        using var scope = NewDisposeScope();
        var y = input.view(g, n / g, c, h, w);
        var std = (y.var(0, unbiased: false) + 1e-8).sqrt();   // [N/G, C, H, W]
        var perGroup = std.mean([1, 2, 3]);                     // [N/G]
        var channel = perGroup.view(1, n / g, 1, 1, 1).expand(g, n / g, 1, h, w).reshape(n, 1, h, w);
        return torch.cat([input, channel], 1).MoveToOuterDisposeScope();
    }
}
