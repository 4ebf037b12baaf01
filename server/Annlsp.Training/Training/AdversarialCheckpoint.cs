using Annlsp.Training.Model;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>
/// The checkpoint entries of a generator–discriminator pair and their optimizers, shared by the gan and pix2pix
/// targets so both write and read the same keys (`generator.…`, `discriminator.…`, `optim_g.…`, `optim_d.…`).
/// </summary>
internal static class AdversarialCheckpoint
{
    public static IEnumerable<(string Name, Tensor Value)> Tensors(AnnNetwork g, AnnNetwork d, FlatOptimizer gOpt, FlatOptimizer dOpt) =>
        g.state_dict().Select(kv => ("generator." + kv.Key, kv.Value))
            .Concat(d.state_dict().Select(kv => ("discriminator." + kv.Key, kv.Value)))
            .Concat(gOpt.State().Select(s => ("optim_g." + s.Name, s.Value)))
            .Concat(dOpt.State().Select(s => ("optim_d." + s.Name, s.Value)))
            .Append(("optim_g.step", tensor(gOpt.StepCount)))
            .Append(("optim_d.step", tensor(dOpt.StepCount)));

    public static void Load(IReadOnlyDictionary<string, Tensor> state, AnnNetwork g, AnnNetwork d, FlatOptimizer gOpt, FlatOptimizer dOpt)
    {
        Trainer.LoadModelState(g, state, "generator.");
        Trainer.LoadModelState(d, state, "discriminator.");
        gOpt.LoadState(state, "optim_g.");
        dOpt.LoadState(state, "optim_d.");
    }
}
