using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Native;
using Annlsp.Training.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Tests;

/// <summary>
/// `dotnet Annlsp.Training.Tests.dll bench-diffusion REPO TARGET WEIGHTS STEPS ROUNDS` (run by scripts/bench-diffusion.sh, which
/// runs scripts/bench-diffusion.py on the exported module between these rounds): the denoiser of a diffusion in
/// examples/diffusion.ann, loaded with the exported weights, trained as DiffusionTarget trains it (uniform t, noise,
/// the MSE against its `predict:` target, flat Adam, EMA update) on shapes at batch 128, and DDIM(50) sampling of 64 images. Prints one JSON object:
/// the median of the rounds.
/// </summary>
public static class DiffusionBenchmark
{
    public static int Run(string repo, string target, string weights, int steps, int rounds)
    {
        var info = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = "cpu" });
        var device = info.Device;
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(repo, "examples", "diffusion.ann")));
        var diffusion = analysis.Diffusions[target];
        var network = diffusion.Denoiser!;
        var data = DataSets.Load(new DataRequest { Data = Nets.Shapes, NeedEvaluation = false, Seed = 1, Limit = 2048 });
        torch.manual_seed(1);
        using var model = ModelBuilder.Build(network, device);
        using var ema = ModelBuilder.Build(network, device, verify: false);
        var flat = new FlatParameters(model.parameters());
        var emaFlat = new FlatParameters(ema.parameters());
        // the exported weights, copied into the flat buffer's views (loading would replace the parameters)
        using (var loaded = ModelBuilder.Build(network, device, verify: false))
        {
            loaded.load_py(weights);
            using var _ = no_grad();
            foreach (var ((_, p), (_, q)) in model.named_parameters().Zip(loaded.named_parameters())) p.copy_(q);
        }
        var opt = FlatOptimizer.Create(Nets.Adam(2e-4), flat);
        using var process = new DiffusionProcess(diffusion, device);
        const int batch = 128;

        // seconds per step in each phase, summed over the measured rounds: inputs (noise, x_t, embedding, target), forward + loss, backward, Adam + EMA
        var phases = new double[4];
        double TrainRound()
        {
            model.train();
            var clock = Stopwatch.StartNew();
            var phase = Stopwatch.StartNew();
            void Lap(int i) { phases[i] += phase.Elapsed.TotalSeconds; phase.Restart(); }
            for (int s = 0; s < steps; s++)
            {
                using var scope = NewDisposeScope();
                phase.Restart();
                var x0 = TensorDataSet.Normalise(data.Train.Images.narrow(0, (s * batch) % (data.Train.Count - batch), batch), symmetric: true);
                var t = randint(0, diffusion.Schedule.Steps, [batch], dtype: ScalarType.Int64);
                var noise = randn_like(x0);
                var (xt, emb, target) = (process.Noised(x0, t, noise), process.Embed(t), process.TrainingTarget(x0, t, noise));
                Lap(0);
                var loss = F.mse_loss(DiffusionProcess.Denoise(model, xt, emb), target);
                Lap(1);
                opt.ZeroGrad();
                loss.backward();
                Lap(2);
                opt.Step();
                using (no_grad()) emaFlat.Data.mul_(0.999).add_(flat.Data, alpha: 0.001);
                Lap(3);
            }
            return clock.Elapsed.TotalSeconds / steps;
        }

        double SampleRound()
        {
            model.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var start = randn([64, .. network.Input.Dims], generator: new Generator(5));
            var clock = Stopwatch.StartNew();
            process.Sample((x, t) => DiffusionProcess.Denoise(model, x, t), start, Language.Semantics.DiffusionSampler.Ddim(50));
            return clock.Elapsed.TotalSeconds;
        }

        TrainRound(); SampleRound(); // warm-up
        var train = new List<double>(); var sample = new List<double>();
        Array.Clear(phases);
        for (int r = 0; r < rounds; r++) { train.Add(TrainRound()); sample.Add(SampleRound()); }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        Console.WriteLine(new JsonObject
        {
            ["train_step_s"] = Median(train), ["ddim50_64_s"] = Median(sample),
            ["phases_s"] = new JsonArray(phases.Select(p => (JsonNode)(p / (rounds * steps))).ToArray()), ["threads"] = torch.get_num_threads(),
            ["parameters"] = network.Parameters, ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
        }.ToJsonString());
        return 0;
    }
}
