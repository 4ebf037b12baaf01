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
/// `bench-graph REPO STEPS [BATCH]`: only the two graph-module comparisons, side by side in one process —
/// LeNet (no branches) and examples/resnet.ann (projection shortcuts, an identity residual), each compiled
/// vs written by hand in TorchSharp.
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

    public static int RunGraph(string repo, int steps, int batch = 64)
    {
        var info = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = "auto" });
        var device = info.Device;
        var data = DataSets.Load(new DataRequest { Data = Nets.FashionMnist, NeedEvaluation = false, Seed = 1 });
        data.Train.To(device);
        var lenet = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(repo, "examples", "lenet.ann"))).Networks["LeNet5"];
        var resnet = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(repo, "examples", "resnet.ann"))).Networks["ResNet"];
        torch.manual_seed(1);
        var pairs = new (string Name, nn.Module<Tensor, Tensor> Graph, nn.Module<Tensor, Tensor> Hand, int Steps)[]
        {
            ("lenet", ModelBuilder.Build(lenet, device), HandLeNet().to(device), steps),
            ("resnet", ModelBuilder.Build(resnet, device), new HandResNet().to(device), Math.Max(3, steps / 20)),
        };
        var result = new JsonObject { ["device"] = info.DeviceName, ["threads"] = torch.get_num_threads(), ["batch"] = batch };
        foreach (var (name, graph, hand, n) in pairs)
        {
            if (graph.parameters().Sum(p => p.numel()) != hand.parameters().Sum(p => p.numel()))
                throw new InvalidOperationException($"{name}: the hand-written network has {hand.parameters().Sum(p => p.numel())} parameters, the compiled one {graph.parameters().Sum(p => p.numel())}");
            var (a, b) = SideBySide(graph, hand, data.Train, device, n, batch);
            result[$"{name}_steps"] = n;
            result[$"{name}_graph_img_s"] = Median(a);
            result[$"{name}_hand_img_s"] = Median(b);
            result[$"{name}_graph_vs_hand"] = Median(a) / Median(b);
            result[$"{name}_rounds_graph"] = new JsonArray(a.Select(v => (JsonNode)Math.Round(v)).ToArray());
            result[$"{name}_rounds_hand"] = new JsonArray(b.Select(v => (JsonNode)Math.Round(v)).ToArray());
        }
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>Training steps (Adam, cross-entropy) of two models in alternating rounds, 6 each after a warm-up: images per second per round.</summary>
    private static (List<double> A, List<double> B) SideBySide(nn.Module<Tensor, Tensor> first, nn.Module<Tensor, Tensor> second, TensorDataSet data, Device device, int steps, int batch)
    {
        var optA = FlatOptimizer.Create(Nets.Adam(), new FlatParameters(first.parameters()));
        var optB = FlatOptimizer.Create(Nets.Adam(), new FlatParameters(second.parameters()));
        double Round(nn.Module<Tensor, Tensor> model, FlatOptimizer opt, int offset)
        {
            model.train();
            var clock = Stopwatch.StartNew();
            using var perm = randperm(data.Count, generator: new Generator(7)).to(device);
            for (int s = 0; s < steps; s++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, ((offset + s) * batch) % (data.Count - batch), batch);
                var x = TensorDataSet.Normalise(data.Images.index_select(0, idx), false);
                var y = data.Labels.index_select(0, idx);
                var loss = F.cross_entropy(model.forward(x), y);
                opt.ZeroGrad();
                loss.backward();
                opt.Step();
            }
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            return steps * batch / clock.Elapsed.TotalSeconds;
        }
        Round(first, optA, 0);
        Round(second, optB, 0);
        var a = new List<double>(); var b = new List<double>();
        for (int r = 0; r < 6; r++)
        {
            // alternate the order so neither side always runs first
            if (r % 2 == 0) { a.Add(Round(first, optA, r * steps)); b.Add(Round(second, optB, r * steps)); }
            else { b.Add(Round(second, optB, r * steps)); a.Add(Round(first, optA, r * steps)); }
        }
        return (a, b);
    }

    private static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return (s[s.Count / 2] + s[(s.Count - 1) / 2]) / 2; }

    /// <summary>examples/resnet.ann's ResNet as one would write it by hand in TorchSharp.</summary>
    private sealed class HandResNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> stem;
        private readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> blocks;
        private readonly nn.Module<Tensor, Tensor> head;

        public HandResNet() : base("HandResNet")
        {
            stem = nn.Sequential(nn.Conv2d(1, 32, 3, padding: 1, bias: false), nn.BatchNorm2d(32), nn.ReLU());
            blocks = nn.ModuleList<nn.Module<Tensor, Tensor>>(new Block(32, 32, 1), new Block(32, 64, 2), new Block(64, 128, 2));
            head = nn.Linear(128, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = stem.forward(x);
            foreach (var block in blocks) x = block.forward(x);
            return head.forward(x.mean([2, 3]));
        }

        private sealed class Block : nn.Module<Tensor, Tensor>
        {
            private readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
            private readonly nn.Module<Tensor, Tensor>? shortcut;

            public Block(int input, int output, int stride) : base("Block")
            {
                conv1 = nn.Conv2d(input, output, 3, stride: stride, padding: 1, bias: false);
                bn1 = nn.BatchNorm2d(output);
                conv2 = nn.Conv2d(output, output, 3, padding: 1, bias: false);
                bn2 = nn.BatchNorm2d(output);
                if (stride != 1 || input != output) shortcut = nn.Sequential(nn.Conv2d(input, output, 1, stride: stride, bias: false), nn.BatchNorm2d(output));
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = bn2.forward(conv2.forward(bn1.forward(conv1.forward(x)).relu()));
                return (h + (shortcut is null ? x : shortcut.forward(x))).relu();
            }
        }
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
