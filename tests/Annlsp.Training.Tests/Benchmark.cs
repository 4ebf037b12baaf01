using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Tests;

/// <summary>
/// `dotnet Annlsp.Training.Tests.dll bench REPO STEPS [BATCH]` (run by scripts/bench-training.sh and
/// scripts/gpu-check.sh; on CUDA when there is a GPU): LeNet compiled
/// from examples/lenet.ann versus the same LeNet written by hand in TorchSharp, side by side in one
/// process with the same loop (alternating rounds, median of each), plus the hand-written net with
/// TorchSharp's own torch.optim.Adam, and the DCGAN of examples/dcgan.ann. Prints one JSON object.
/// </summary>
public static class Benchmark
{
    public static int Run(string repo, int steps, int batch = 64)
    {
        var info = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = "auto" });
        var device = info.Device;
        var data = DataSets.Load(new DataRequest { Data = Nets.FashionMnist, NeedEvaluation = false, Seed = 1 });
        data.Train.To(device);
        var lenet = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(repo, "examples", "lenet.ann"))).Networks["LeNet5"];

        torch.manual_seed(1);
        var dsl = ModelBuilder.Build(lenet, device);
        var hand = HandLeNet().to(device);
        var handTorch = HandLeNet().to(device);
        var dslOpt = FlatOptimizer.Create(Nets.Adam(), new FlatParameters(dsl.parameters()));
        var handOpt = FlatOptimizer.Create(Nets.Adam(), new FlatParameters(hand.parameters()));
        var torchAdam = torch.optim.Adam(handTorch.parameters(), 1e-3);

        double Round(nn.Module<Tensor, Tensor> model, Action zero, Action step, int offset)
        {
            var clock = Stopwatch.StartNew();
            using var perm = randperm(data.Train.Count, generator: new Generator(7)).to(device);
            for (int s = 0; s < steps; s++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, ((offset + s) * batch) % (data.Train.Count - batch), batch);
                var x = TensorDataSet.Normalise(data.Train.Images.index_select(0, idx), false);
                var y = data.Train.Labels.index_select(0, idx);
                var loss = F.cross_entropy(model.forward(x), y);
                zero();
                loss.backward();
                step();
            }
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            return steps * batch / clock.Elapsed.TotalSeconds;
        }

        // warm-up
        Round(dsl, dslOpt.ZeroGrad, dslOpt.Step, 0);
        Round(hand, handOpt.ZeroGrad, handOpt.Step, 0);
        Round(handTorch, () => torchAdam.zero_grad(), () => torchAdam.step(), 0);
        var a = new List<double>(); var b = new List<double>(); var c = new List<double>();
        for (int r = 0; r < 6; r++)
        {
            // alternate the order so neither side always runs first
            if (r % 2 == 0) { a.Add(Round(dsl, dslOpt.ZeroGrad, dslOpt.Step, r * steps)); b.Add(Round(hand, handOpt.ZeroGrad, handOpt.Step, r * steps)); }
            else { b.Add(Round(hand, handOpt.ZeroGrad, handOpt.Step, r * steps)); a.Add(Round(dsl, dslOpt.ZeroGrad, dslOpt.Step, r * steps)); }
            c.Add(Round(handTorch, () => torchAdam.zero_grad(), () => torchAdam.step(), r * steps));
        }
        static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return (s[s.Count / 2] + s[(s.Count - 1) / 2]) / 2; }

        // DCGAN (examples/dcgan.ann) iterations per second at batch 128.
        var dcgan = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(repo, "examples", "dcgan.ann")));
        var g = ModelBuilder.Build(dcgan.Networks["Generator"], device);
        var d = ModelBuilder.Build(dcgan.Networks["Discriminator"], device);
        var gOpt = FlatOptimizer.Create(Nets.Adam(2e-4, 0.5), new FlatParameters(g.parameters()));
        var dOpt = FlatOptimizer.Create(Nets.Adam(2e-4, 0.5), new FlatParameters(d.parameters()));
        double GanRound(int n)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < n; s++)
            {
                using var scope = NewDisposeScope();
                var real = TensorDataSet.Normalise(data.Train.Images.narrow(0, (s * 128) % 59000, 128), true);
                var fake = g.forward(randn([128, 100], device: device));
                var ones = torch.ones([128, 1], device: device); var zeros = torch.zeros([128, 1], device: device);
                dOpt.ZeroGrad();
                var lossD = F.binary_cross_entropy_with_logits(d.forward(real), ones) + F.binary_cross_entropy_with_logits(d.forward(fake.detach()), zeros);
                lossD.backward(); dOpt.Step();
                gOpt.ZeroGrad();
                var lossG = F.binary_cross_entropy_with_logits(d.forward(fake), ones);
                lossG.backward(); gOpt.Step();
            }
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            return n / clock.Elapsed.TotalSeconds;
        }
        int ganSteps = Math.Max(10, steps / 10);
        GanRound(3);
        var gan = Enumerable.Range(0, 3).Select(_ => GanRound(ganSteps)).ToList();

        var result = new JsonObject
        {
            ["device"] = info.DeviceName, ["threads"] = torch.get_num_threads(), ["batch"] = batch, ["steps"] = steps,
            ["lenet_dsl_img_s"] = Median(a), ["lenet_hand_img_s"] = Median(b), ["lenet_hand_torch_adam_img_s"] = Median(c),
            ["dsl_vs_hand"] = Median(a) / Median(b), ["dsl_vs_hand_torch_adam"] = Median(a) / Median(c),
            ["rounds_dsl"] = new JsonArray(a.Select(v => (JsonNode)Math.Round(v)).ToArray()),
            ["rounds_hand"] = new JsonArray(b.Select(v => (JsonNode)Math.Round(v)).ToArray()),
            ["dcgan_batch"] = 128, ["dcgan_it_s"] = gan.Max(),
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>examples/lenet.ann's LeNet-5 as one would write it by hand in TorchSharp.</summary>
    private static nn.Module<Tensor, Tensor> HandLeNet() => nn.Sequential(
        nn.Conv2d(1, 6, 5, padding: 2), nn.ELU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ELU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ELU(),
        nn.Linear(120, 84), nn.ELU(),
        nn.Linear(84, 10));
}
