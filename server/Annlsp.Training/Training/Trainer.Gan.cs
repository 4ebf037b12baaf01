using System.Diagnostics;
using System.Text.Json.Nodes;
using Annlsp.Training.Data;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Annlsp.Training.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// DCGAN recipe: weights N(0, 0.02) (batch-norm scales N(1, 0.02)), real = 1 / fake = 0, BCE on the
    /// discriminator's logits, one discriminator step on real + detached fake, then one generator step
    /// that asks D to call the fakes real. A fixed noise batch (from the seed) renders the preview grid,
    /// so every epoch shows the same latent points.
    /// </summary>
    private TrainResult RunGan(Dictionary<string, Tensor>? resume, JsonObject? resumeMeta)
    {
        var gan = config.Gan ?? throw new TrainingException($"train {config.DisplayName}: no gan");
        var gNet = gan.Generator ?? throw new TrainingException($"gan {gan.Name} has no valid generator");
        var dNet = gan.Discriminator ?? throw new TrainingException($"gan {gan.Name} has no valid discriminator");
        if (!gNet.Input.IsVector) throw new TrainingException($"the generator {gNet.Name} must take a latent vector, not {gNet.Input}");
        using var data = DataSets.Load(new DataRequest { Data = config.Data, Limit = options.Limit, Seed = seed, NeedEvaluation = false });
        data.Train.To(device);
        var g = ModelBuilder.Build(gNet, device);
        var d = ModelBuilder.Build(dNet, device);
        DcganInit(g);
        DcganInit(d);
        using var gFlat = new FlatParameters(g.parameters());
        using var dFlat = new FlatParameters(d.parameters());
        using var gOpt = FlatOptimizer.Create(config.Optimizer, gFlat);
        using var dOpt = FlatOptimizer.Create(config.Optimizer, dFlat);
        long latent = gNet.Input[0];
        int cells = config.Preview.H * config.Preview.W;
        using var fixedNoise = randn([cells, latent], generator: new Generator((ulong)seed + 17)).to(device);

        int startEpoch = 0, startStep = 0;
        long globalStep = 0;
        if (resume is not null && resumeMeta is not null)
        {
            LoadModelState(g, resume, "generator.");
            LoadModelState(d, resume, "discriminator.");
            gOpt.LoadState(resume, "optim_g.");
            dOpt.LoadState(resume, "optim_d.");
            (startEpoch, startStep, globalStep) = ((int)resumeMeta["epoch"]!, (int)resumeMeta["stepInEpoch"]!, (long)resumeMeta["globalStep"]!);
        }
        else run.WriteRunJson(RunJson("gan", data, new JsonObject { ["generator"] = NetworkJson(gNet, g), ["discriminator"] = NetworkJson(dNet, d) }));

        int n = data.Train.Count;
        int steps = StepsPerEpoch(n);
        long totalSteps = (long)steps * epochs;
        progressEvery = options.ProgressEvery > 0 ? options.ProgressEvery : Math.Max(1, steps / 20);
        Emit("started", ("target", config.DisplayName), ("kind", "gan"), ("device", runtime.DeviceName), ("libtorch", runtime.LibTorchSource), ("libtorchDir", runtime.LibTorchDir),
            ("runDir", run.Path), ("epochs", epochs), ("stepsPerEpoch", steps), ("train", n), ("resumedFrom", resume is null ? null : globalStep), ("seed", seed), ("warnings", options.Warnings));

        using var scoring = StartGanScoring(latent); // after the initialisation: training a reference classifier reseeds
        var metrics = new Dictionary<string, double>();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            g.train(); d.train();
            torch.manual_seed(seed + 7919L * (epoch + 1));
            using var perm = Permutation(n, seed, epoch, device);
            using var sums = zeros(4, dtype: ScalarType.Float32, device: device); // loss_d, loss_g, D(x), D(G(z)) weighted by batch size
            long seen = 0;
            var clock = Stopwatch.StartNew();
            for (int step = epoch == startEpoch ? startStep : 0; step < steps; step++)
            {
                var (start, count) = BatchRange(step, n);
                float[]? report = null;
                double lr;
                using (var scope = NewDisposeScope())
                {
                    var idx = perm.narrow(0, start, count);
                    var real = TensorDataSet.Normalise(data.Train.Images.index_select(0, idx), symmetric: true);
                    var z = randn([count, latent], device: device);
                    var fake = g.forward(z);
                    var ones = torch.ones([count, 1], device: device);
                    var zeros = torch.zeros([count, 1], device: device);

                    dOpt.ZeroGrad();
                    var dReal = d.forward(real);
                    var dFake = d.forward(fake.detach());
                    var lossD = F.binary_cross_entropy_with_logits(dReal, ones) + F.binary_cross_entropy_with_logits(dFake, zeros);
                    lossD.backward();
                    lr = LearningRateSchedule.At(config.Schedule, config.Optimizer.LearningRate, globalStep, totalSteps);
                    dOpt.LearningRate = lr;
                    dOpt.Step();

                    gOpt.ZeroGrad();
                    var dFake2 = d.forward(fake);
                    var lossG = F.binary_cross_entropy_with_logits(dFake2, ones);
                    lossG.backward();
                    gOpt.LearningRate = lr;
                    gOpt.Step();

                    using (no_grad())
                    {
                        var row = stack([lossD.detach(), lossG.detach(), dReal.detach().sigmoid().mean(), dFake.detach().sigmoid().mean()]);
                        sums.add_(row * count);
                        seen += count;
                        globalStep++;
                        if (globalStep % progressEvery == 0 || step == steps - 1)
                            report = row.cpu().data<float>().ToArray();
                    }
                }
                if (report is not null)
                {
                    if (report.Any(v => Bad(v))) return NanFailure(epoch, step, report.First(v => Bad(v)));
                    double ips = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    Emit("step", ("epoch", epoch + 1), ("step", step + 1), ("steps", steps), ("globalStep", globalStep),
                        ("loss_d", (double)report[0]), ("loss_g", (double)report[1]), ("d_x", (double)report[2]), ("d_g_z", (double)report[3]), ("lr", lr), ("imagesPerSecond", ips));
                }
                if (options.Cancellation.IsCancellationRequested)
                {
                    SaveGanCheckpoint(g, d, gOpt, dOpt, epoch, step + 1, globalStep);
                    Emit("checkpoint", ("epoch", epoch + 1), ("step", step + 1), ("globalStep", globalStep), ("path", run.Checkpoint));
                    SaveGanModels(g, d);
                    Emit("finished", ("status", "stopped"), ("runDir", run.Path), ("epoch", epoch + 1), ("globalStep", globalStep), ("model", Path.Combine(run.Path, RunFolder.ModelFile)));
                    return new TrainResult("stopped", run.Path, metrics);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var avg = (sums / Math.Max(1, seen)).cpu().data<float>().ToArray();
            if (avg.Any(v => Bad(v))) return NanFailure(epoch, steps - 1, avg.First(v => Bad(v)));
            metrics = new Dictionary<string, double>
            {
                ["loss_d"] = avg[0], ["loss_g"] = avg[1], ["d_x"] = avg[2], ["d_g_z"] = avg[3],
                ["seconds"] = seconds, ["imagesPerSecond"] = seen / Math.Max(1e-9, seconds),
            };
            var scores = scoring?.Score(g);
            AddScores(metrics, scores);
            Emit("epoch", [("epoch", epoch + 1), ("epochs", epochs), ("globalStep", globalStep), ("loss_d", metrics["loss_d"]), ("loss_g", metrics["loss_g"]),
                ("d_x", metrics["d_x"]), ("d_g_z", metrics["d_g_z"]), ("seconds", seconds), ("imagesPerSecond", metrics["imagesPerSecond"]), .. ScoreFields(scores)]);
            foreach (var k in new[] { "loss_d", "loss_g", "d_x", "d_g_z" }) WriteScalar($"gan/{k}", metrics[k], epoch + 1);
            WriteScoreScalars(scores, epoch + 1);

            var path = run.SamplePath(epoch + 1);
            WriteGanGrid(g, fixedNoise, path);
            Emit("sample", ("epoch", epoch + 1), ("path", path));
            if ((epoch + 1) % Math.Max(1, config.CheckpointEvery) == 0 || epoch + 1 == epochs)
            {
                SaveGanCheckpoint(g, d, gOpt, dOpt, epoch + 1, 0, globalStep);
                Emit("checkpoint", ("epoch", epoch + 1), ("step", 0), ("globalStep", globalStep), ("path", run.Checkpoint));
            }
        }
        SaveGanModels(g, d);
        Emit("finished", [("status", "finished"), ("runDir", run.Path), ("epoch", epochs), ("globalStep", globalStep),
            ("loss_g", metrics.GetValueOrDefault("loss_g", double.NaN)), ("loss_d", metrics.GetValueOrDefault("loss_d", double.NaN)),
            ("model", Path.Combine(run.Path, RunFolder.ModelFile)), .. FinishedScoreFields(metrics)]);
        return new TrainResult("finished", run.Path, metrics);
    }

    private void WriteGanGrid(AnnNetwork g, Tensor noise, string path)
    {
        g.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var images = g.Predict(noise);
            ImageGrid.WritePng(path, images, config.Preview.H, config.Preview.W, -1, 1);
        }
        g.train();
    }

    private void SaveGanCheckpoint(AnnNetwork g, AnnNetwork d, FlatOptimizer gOpt, FlatOptimizer dOpt, int epoch, int stepInEpoch, long globalStep)
    {
        var tensors = g.state_dict().Select(kv => ("generator." + kv.Key, kv.Value))
            .Concat(d.state_dict().Select(kv => ("discriminator." + kv.Key, kv.Value)))
            .Concat(gOpt.State().Select(s => ("optim_g." + s.Name, s.Value)))
            .Concat(dOpt.State().Select(s => ("optim_d." + s.Name, s.Value)))
            .Append(("optim_g.step", tensor(gOpt.StepCount)))
            .Append(("optim_d.step", tensor(dOpt.StepCount)));
        RunFolder.SaveCheckpoint(run.Checkpoint, tensors, CheckpointMeta(epoch, stepInEpoch, globalStep));
    }

    /// <summary>model.pt is the generator (what `annlsp sample` and export use); discriminator.pt next to it.</summary>
    private void SaveGanModels(AnnNetwork g, AnnNetwork d)
    {
        RunFolder.SaveModelPt(g, Path.Combine(run.Path, RunFolder.ModelFile));
        RunFolder.SaveModelPt(d, Path.Combine(run.Path, "discriminator.pt"));
    }
}
