using TorchSharp;
using static TorchSharp.torch;

namespace Annlsp.Training.Model;

/// <summary>`residual { … }`: output = input + body(input).</summary>
public sealed class Residual : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential body;

    public Residual(TorchSharp.Modules.Sequential body) : base("Residual")
    {
        this.body = body;
        RegisterComponents();
    }

    public TorchSharp.Modules.Sequential Body => body;

    public override Tensor forward(Tensor input)
    {
        using var inner = body.forward(input);
        return input + inner;
    }
}

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
/// A compiled `network`: a <see cref="TorchSharp.Modules.Sequential"/> named <c>layers</c> (so the
/// state dict's keys are <c>layers.0.weight</c> …, as in the exported PyTorch module). A trailing
/// softmax/sigmoid is not part of <c>layers</c>: training uses the logits with the with-logits loss, and
/// <see cref="Predict"/> applies it.
/// </summary>
public sealed class AnnNetwork : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential layers;

    public AnnNetwork(string name, TorchSharp.Modules.Sequential layers, string? trailingActivation) : base(name)
    {
        this.layers = layers;
        TrailingActivation = trailingActivation;
        RegisterComponents();
    }

    public TorchSharp.Modules.Sequential Layers => layers;
    /// <summary>"softmax", "sigmoid" or null: dropped from <see cref="forward"/>, applied by <see cref="Predict"/>.</summary>
    public string? TrailingActivation { get; }

    /// <summary>The logits (the network without its trailing softmax/sigmoid).</summary>
    public override Tensor forward(Tensor input) => layers.forward(input);

    /// <summary>The network as written, trailing activation included.</summary>
    public Tensor Predict(Tensor input)
    {
        var logits = forward(input);
        return TrailingActivation switch
        {
            "softmax" => Apply(logits, l => l.softmax(1)),
            "sigmoid" => Apply(logits, l => l.sigmoid()),
            _ => logits,
        };

        static Tensor Apply(Tensor t, Func<Tensor, Tensor> f) { var r = f(t); t.Dispose(); return r; }
    }
}
