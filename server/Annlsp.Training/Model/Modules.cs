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

