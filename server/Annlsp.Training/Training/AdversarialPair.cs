using System.Text.Json.Nodes;
using Annlsp.Language.Semantics;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>
/// A gan's generator and discriminator as the gan and pix2pix targets both train them: built on the device, DCGAN's
/// initialisation, one flat Adam (or the train block's optimizer) each; their checkpoint entries (`generator.…`,
/// `discriminator.…`, `optim_g.…`, `optim_d.…`), run.json description and saved models. The targets differ only in
/// their data, losses and measurements.
/// </summary>
internal sealed class AdversarialPair : IDisposable
{
    public NetworkModel GeneratorNetwork { get; }
    public NetworkModel DiscriminatorNetwork { get; }
    public AnnNetwork G { get; }
    public AnnNetwork D { get; }
    public FlatOptimizer GOpt { get; }
    public FlatOptimizer DOpt { get; }
    private readonly FlatParameters gFlat, dFlat;

    public AdversarialPair(TrainConfig config, Device device)
    {
        var gan = config.Gan ?? throw new TrainingException($"train {config.DisplayName}: no gan");
        GeneratorNetwork = gan.Generator ?? throw new TrainingException($"gan {gan.Name} has no valid generator");
        DiscriminatorNetwork = gan.Discriminator ?? throw new TrainingException($"gan {gan.Name} has no valid discriminator");
        G = ModelBuilder.Build(GeneratorNetwork, device);
        D = ModelBuilder.Build(DiscriminatorNetwork, device);
        DcganInit(G);
        DcganInit(D);
        gFlat = new FlatParameters(G.parameters());
        dFlat = new FlatParameters(D.parameters());
        GOpt = FlatOptimizer.Create(config.Optimizer, gFlat);
        DOpt = FlatOptimizer.Create(config.Optimizer, dFlat);
    }

    /// <summary>Radford et al.: convolution weights from N(0, 0.02), batch-norm scales from N(1, 0.02), biases 0.</summary>
    private static void DcganInit(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d c: nn.init.normal_(c.weight!, 0, 0.02); if (c.bias is not null) nn.init.zeros_(c.bias); break;
                case ConvTranspose2d c: nn.init.normal_(c.weight!, 0, 0.02); if (c.bias is not null) nn.init.zeros_(c.bias); break;
                case BatchNorm2d b: nn.init.normal_(b.weight!, 1, 0.02); nn.init.zeros_(b.bias!); break;
                case BatchNorm1d b: nn.init.normal_(b.weight!, 1, 0.02); nn.init.zeros_(b.bias!); break;
            }
        }
    }

    /// <summary>run.json's `networks`.</summary>
    public JsonObject Describe() =>
        new() { ["generator"] = Trainer.NetworkJson(GeneratorNetwork, G), ["discriminator"] = Trainer.NetworkJson(DiscriminatorNetwork, D) };

    public void Train()
    {
        G.train();
        D.train();
    }

    public IEnumerable<(string Name, Tensor Value)> CheckpointTensors() =>
        G.state_dict().Select(kv => ("generator." + kv.Key, kv.Value))
            .Concat(D.state_dict().Select(kv => ("discriminator." + kv.Key, kv.Value)))
            .Concat(GOpt.State().Select(s => ("optim_g." + s.Name, s.Value)))
            .Concat(DOpt.State().Select(s => ("optim_d." + s.Name, s.Value)))
            .Append(("optim_g.step", tensor(GOpt.StepCount)))
            .Append(("optim_d.step", tensor(DOpt.StepCount)));

    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state)
    {
        Trainer.LoadModelState(G, state, "generator.");
        Trainer.LoadModelState(D, state, "discriminator.");
        GOpt.LoadState(state, "optim_g.");
        DOpt.LoadState(state, "optim_d.");
    }

    /// <summary>model.pt is the generator (what `annlsp sample` and export use); discriminator.pt next to it.</summary>
    public void SaveModels(string runDir)
    {
        RunFolder.SaveModelPt(G, Path.Combine(runDir, RunFolder.ModelFile));
        RunFolder.SaveModelPt(D, Path.Combine(runDir, "discriminator.pt"));
    }

    public void Dispose()
    {
        DOpt.Dispose();
        GOpt.Dispose();
        dFlat.Dispose();
        gFlat.Dispose();
    }
}
