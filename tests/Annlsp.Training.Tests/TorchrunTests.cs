using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Data;
using Annlsp.Training.Export;
using Annlsp.Training.Model;
using Annlsp.Training.Output;
using Annlsp.Training.Training;
using TorchSharp.PyBridge;
using Xunit.Abstractions;

namespace Annlsp.Training.Tests;

/// <summary>
/// The torchrun package (Export/TorchrunPackage.cs) trained by Debian's torchrun with two CPU processes
/// (gloo): the shapes classifier, a graph classifier, the shapes GAN, a pix2pix on edges(shapes) and a diffusion
/// on shapes, on short slices; a resume with one process; and the errors a user meets first.
/// </summary>
public class TorchrunTests(ITestOutputHelper output)
{
    private static readonly string Repo = TestSetup.RepoRoot();

    [Fact]
    public void The_packages_shapes_data_is_the_products_generated_data_read_by_train_pys_reader()
    {
        var dir = TestSetup.TempDir("torchrun-shapes");
        TorchrunPackage.WriteShapes(dir);
        var script = Path.Combine(dir, "hash.py");
        File.WriteAllText(script, $$"""
            import hashlib, sys
            sys.path.insert(0, {{PythonRunner.Quote(Path.Combine(Repo, "server", "Annlsp.Training", "Export", "Torchrun"))}})
            import annlsp_data
            train, test = annlsp_data.load({"name": "shapes", "classes": ["circle", "square", "triangle", "cross"]}, {{PythonRunner.Quote(dir)}})
            for split in (train, test):
                print(tuple(split["images"].shape), hashlib.sha256(split["images"].numpy().tobytes()).hexdigest(), hashlib.sha256(split["labels"].numpy().tobytes()).hexdigest())
            """);
        var lines = PythonRunner.Run(script).Trim().Split('\n');
        var expected = new[] { (DataSets.ShapesTrainCount, 1234), (DataSets.ShapesTestCount, 98765) }.Select(s =>
        {
            var (pixels, labels) = ShapesDataSet.Generate(s.Item1, s.Item2);
            var labelBytes = labels.SelectMany(BitConverter.GetBytes).ToArray(); // int64, little-endian as numpy's
            return $"({s.Item1}, 1, 28, 28) {Hex(pixels)} {Hex(labelBytes)}";
        });
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Train_pys_cifar10_reader_reads_what_the_trainer_reads()
    {
        var dir = TestSetup.TempDir("torchrun-cifar");
        var rng = new Random(3);
        foreach (var name in Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").Append("test_batch.bin"))
        {
            var bytes = new byte[4 * 3073];
            rng.NextBytes(bytes);
            for (int r = 0; r < 4; r++) bytes[r * 3073] = (byte)rng.Next(10);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }
        var config = TrainingTargets.ResolveTrain(DocumentAnalysis.Analyze($$"""
            network C {
                input(3x32x32)
                flatten
                dense(10)
            }
            train C {
                data: cifar10("{{dir}}")
            }
            """), "C");
        using var data = DataSets.Load(new DataRequest { Data = config.Data });
        var script = Path.Combine(dir, "hash.py");
        File.WriteAllText(script, $$"""
            import hashlib, sys
            sys.path.insert(0, {{PythonRunner.Quote(Path.Combine(Repo, "server", "Annlsp.Training", "Export", "Torchrun"))}})
            import annlsp_data
            train, test = annlsp_data.load({"name": "cifar10", "classes": [str(i) for i in range(10)]}, {{PythonRunner.Quote(dir)}})
            for split in (train, test):
                print(tuple(split["images"].shape), hashlib.sha256(split["images"].numpy().tobytes()).hexdigest(), hashlib.sha256(split["labels"].numpy().tobytes()).hexdigest())
            """);
        var expected = new[] { data.Train, data.Evaluation! }.Select(set =>
            $"({set.Count}, 3, 32, 32) {Hex(set.Images.contiguous().bytes.ToArray())} {Hex(set.Labels.contiguous().bytes.ToArray())}");
        Assert.Equal(expected, PythonRunner.Run(script).Trim().Split('\n'));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void Train_pys_augmentation_draws_and_moves_what_the_trainer_does(bool flip, int shift)
    {
        var source = File.ReadAllText(Path.Combine(Repo, "examples", "shapes.ann"))
            .Replace("train ShapeNet {", $"train ShapeNet {{\n    random_flip: {(flip ? "true" : "false")}\n    random_shift: {shift}");
        var (package, config) = PackageOf(source, "ShapeNet");
        Assert.Equal((flip, shift), (config.RandomFlip, config.RandomShift));
        var rng = new Random(shift);
        var pixels = new byte[6 * 2 * 5 * 7];
        rng.NextBytes(pixels);
        var imagesFile = Path.Combine(package, "images.u8");
        File.WriteAllBytes(imagesFile, pixels);
        long[] steps = [0, 5, 123];
        var script = Path.Combine(package, "augment.py");
        File.WriteAllText(script, $$"""
            import hashlib, sys
            import numpy as np
            import torch
            sys.path.insert(0, {{PythonRunner.Quote(package)}})
            import train
            class Job:
                seed = 11
                class dist:
                    rank = 0
            augment = train.Augmentation(Job())
            x = torch.from_numpy(np.fromfile({{PythonRunner.Quote(imagesFile)}}, dtype=np.uint8).reshape(6, 2, 5, 7))
            for step in {{PythonRunner.Quote(string.Join(",", steps))}}.split(","):
                (y,) = augment(int(step), x)
                print(hashlib.sha256(y.contiguous().numpy().tobytes()).hexdigest())
            """);
        var augmentation = new BatchAugmentation(flip, shift, 11);
        using var images = TorchSharp.torch.tensor(pixels, [6, 2, 5, 7]);
        var expected = steps.Select(step => Hex(augmentation.Apply([images], step)[0].contiguous().data<byte>().ToArray())).ToArray();
        Assert.Equal(expected, PythonRunner.Run(script).Trim().Split('\n'));
        Assert.NotEqual(Hex(pixels), expected[0]); // the draws moved something
    }

    [Fact]
    public void A_classifier_trains_with_two_processes_identically_on_both_and_resumes_with_one()
    {
        var (package, config) = Package("shapes.ann", "ShapeNet");
        var runs = Path.Combine(package, "runs");
        var replicas = Path.Combine(package, "replicas");
        var first = Torchrun(package, 2, ["--epochs", "1", "--limit", "256", "--out", runs], replicas);
        Assert.True(first.Code == 0, first.Err + first.Out);
        AssertReplicasIdentical(replicas, 2);

        var run = Directory.GetDirectories(Path.Combine(runs, "ShapeNet")).Single();
        var runJson = RunFolder.Open(run).ReadRunJson()!;
        Assert.Equal("ShapeNet", (string?)runJson["target"]);
        Assert.Equal("classifier", (string?)runJson["kind"]);
        Assert.Equal(2, (int)runJson["distributed"]!["processes"]!);
        Assert.Equal(256, (int)runJson["data"]!["train"]!);
        Assert.NotNull(InputStandardisation.Read(runJson["data"]!["normalisation"])); // what export --run builds the module's standardise from
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "examples", "shapes.ann")), File.ReadAllText(Path.Combine(run, RunFolder.SourceFile)));
        var epochs = Events(Path.Combine(run, RunFolder.MetricsFile), "epoch");
        var epoch1 = Assert.Single(epochs);
        Assert.Equal(8, (int)epoch1["globalStep"]!); // 256 examples, global batch 32
        Assert.InRange((double)epoch1["accuracy"]!, 0.0, 1.0);
        AssertPng(Path.Combine(run, "samples", "epoch-001.png"), 480, 480); // 8×8 cells of 28 px doubled, 2 px gutters
        var (tensors, meta) = RunFolder.LoadCheckpoint(Path.Combine(run, RunFolder.CheckpointFile)); // the product's own reader
        Assert.Equal((1, 0, 8L), ((int)meta["epoch"]!, (int)meta["stepInEpoch"]!, (long)meta["globalStep"]!));
        Assert.Equal(config.Network!.Parameters, tensors["optim.exp_avg"].numel());
        using (var model = ModelBuilder.Build(config.Network!))
            model.load_py(Path.Combine(run, RunFolder.ModelFile)); // what annlsp export --run and the evaluation read

        // The same recipe: annlsp train (TorchSharp, one process) on the same 256 examples ends its epoch where the two processes did.
        var local = Trainer.Run(new TrainOptions { Config = config, SourceText = "", Epochs = 1, Limit = 256, OutDir = Path.Combine(package, "annlsp-runs"), TensorBoard = false });
        Assert.True(local.Succeeded, local.Reason);
        var localEpoch = Assert.Single(Events(Path.Combine(local.RunDir, RunFolder.MetricsFile), "epoch"));
        foreach (var key in new[] { "loss", "val_loss" })
            Assert.True(Math.Abs((double)localEpoch[key]! - (double)epoch1[key]!) < 1e-3, $"{key}: annlsp train {localEpoch[key]}, torchrun {epoch1[key]}");
        foreach (var key in new[] { "accuracy", "train_accuracy" })
            Assert.True(Math.Abs((double)localEpoch[key]! - (double)epoch1[key]!) <= 2.0 / 256, $"{key}: annlsp train {localEpoch[key]}, torchrun {epoch1[key]}");

        var resumed = Torchrun(package, 1, ["--epochs", "2", "--limit", "256", "--resume", run], null);
        Assert.True(resumed.Code == 0, resumed.Err + resumed.Out);
        var started = Stdout(resumed.Out, "started").Single();
        Assert.Equal(8, (int)started["resumedFrom"]!);
        Assert.Equal([8, 16], Events(Path.Combine(run, RunFolder.MetricsFile), "epoch").Select(e => (int)e["globalStep"]!));
        Assert.Equal("finished", (string?)Stdout(resumed.Out, "finished").Single()["status"]);
        AssertPng(Path.Combine(run, "samples", "epoch-002.png"), 480, 480);
    }

    [Fact]
    public void A_gan_trains_with_two_processes_identically_on_both_and_annlsp_sample_reads_its_generator()
    {
        var (package, config) = Package("dcgan.ann", "FashionGAN as shapes");
        var runs = Path.Combine(package, "runs");
        var replicas = Path.Combine(package, "replicas");
        var result = Torchrun(package, 2, ["--epochs", "1", "--limit", "64", "--out", runs], replicas);
        Assert.True(result.Code == 0, result.Err + result.Out);
        AssertReplicasIdentical(replicas, 2);
        var run = Directory.GetDirectories(Path.Combine(runs, "FashionGAN-shapes")).Single();
        Assert.Equal("gan", (string?)RunFolder.Open(run).ReadRunJson()!["kind"]);
        var epoch = Assert.Single(Events(Path.Combine(run, RunFolder.MetricsFile), "epoch"));
        Assert.Equal(2, (int)epoch["globalStep"]!);
        foreach (var key in new[] { "loss_d", "loss_g", "d_x", "d_g_z" }) Assert.True(double.IsFinite((double)epoch[key]!), key);
        AssertPng(Path.Combine(run, "samples", "epoch-001.png"), 4 * 32, 4 * 32); // preview 4x4
        Assert.True(File.Exists(Path.Combine(run, "discriminator.pt")));
        var (_, meta) = RunFolder.LoadCheckpoint(Path.Combine(run, RunFolder.CheckpointFile));
        Assert.Equal("FashionGAN as shapes", (string?)meta["target"]);
        var grid = Path.Combine(package, "sample.png");
        var (w, h) = Sampler.Sample(config.Gan!.Generator!, Path.Combine(run, RunFolder.ModelFile), grid, new Pair(2, 3), 7); // annlsp sample
        Assert.Equal((3 * 32, 2 * 32), (w, h));
    }

    /// <summary>
    /// Every training of examples/*.ann packages (classifiers with graphs — ResNet's projection shortcuts, the U-Net's
    /// concats —, the DCGAN, pix2pix, the diffusions): in one Python process, each package's modules are built as
    /// train.py builds them and run on a zero batch; parameters and output shapes are the checked network's.
    /// </summary>
    [Fact]
    public void Every_example_training_packages_into_modules_with_the_checked_parameters_and_shapes()
    {
        var root = TestSetup.TempDir("torchrun-examples");
        var expected = new List<string>();
        var packages = new List<string>();
        var kinds = new HashSet<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repo, "examples"), "*.ann").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            foreach (var train in DocumentAnalysis.Analyze(text).Trains)
            {
                var dir = Path.Combine(root, packages.Count.ToString(CultureInfo.InvariantCulture));
                TorchrunPackage.Write(TrainingTargets.ResolveTrain(DocumentAnalysis.Analyze(text), train.DisplayName), text, file, dir);
                packages.Add(dir);
                var target = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, TorchrunPackage.TargetFile)))!;
                kinds.Add((string)target["kind"]!);
                foreach (var (role, net) in target["networks"]!.AsObject())
                    expected.Add($"{train.DisplayName} {role} {(long)net!["parameters"]!} {net["output"]}");
            }
        }
        Assert.Equal(["classifier", "diffusion", "gan", "pix2pix"], kinds.Order(StringComparer.Ordinal));
        var script = Path.Combine(root, "build.py");
        File.WriteAllText(script, $$"""
            import importlib, json, sys
            import torch
            for package in {{PythonRunner.Quote(string.Join("|", packages))}}.split("|"):
                target = json.load(open(package + "/annlsp_target.json"))
                sys.path.insert(0, package)
                for name in [n for n, m in sys.modules.items() if (getattr(m, "__file__", None) or "").startswith({{PythonRunner.Quote(root)}})]:
                    del sys.modules[name]  # the packages' modules share names (UNet, Patch …)
                diffusion = importlib.import_module(target["diffusion"]["module"]) if target.get("diffusion") else None
                for role, net in target["networks"].items():
                    model = getattr(importlib.import_module(net["module"]), net["class"])().eval()
                    x = torch.zeros((2,) + tuple(model.input_shape))
                    with torch.no_grad():
                        y = model(x, diffusion.time_embedding(torch.zeros(2, dtype=torch.int64))) if diffusion and diffusion.USES_TIME else model(x)
                    print(target["target"], role, sum(p.numel() for p in model.parameters()), "×".join(map(str, y.shape[1:])))
                sys.path.remove(package)
            """);
        Assert.Equal(expected, PythonRunner.Run(script).Trim().Split('\n'));
    }

    /// <summary>A residual block with a strided 1×1 projection shortcut (examples/resnet.ann's Down), an identity residual and a concat of two named tensors.</summary>
    private const string GraphSource = """
        network GraphNet {
            input(1x28x28)
            conv(8, kernel: 3, padding: 1) -> relu                                  as stem   # -> 8x28x28
            residual(shortcut: conv(16, kernel: 1, stride: 2)) {
                conv(16, kernel: 3, stride: 2, padding: 1) -> relu
                conv(16, kernel: 3, padding: 1)
            }
            relu                                                                   as down   # -> 16x14x14
            residual { conv(16, kernel: 3, padding: 1) -> relu -> conv(16, kernel: 3, padding: 1) }
            relu
            concat(down)                                                                     # -> 32x14x14
            globalpool                                                                       # -> 32
            dense(4)
        }
        train GraphNet { data: shapes, epochs: 1, batch: 32, optimizer: adam(lr: 2e-3), seed: 5, preview: 2x4 }
        """;

    [Fact]
    public void A_graph_classifier_with_a_projection_shortcut_and_a_concat_trains_with_two_processes_as_annlsp_train_does()
    {
        var (package, config) = PackageOf(GraphSource, "GraphNet");
        Assert.Contains("Residual(", File.ReadAllText(Path.Combine(package, "GraphNet.py")));
        var runs = Path.Combine(package, "runs");
        var replicas = Path.Combine(package, "replicas");
        var result = Torchrun(package, 2, ["--epochs", "1", "--limit", "128", "--out", runs], replicas);
        Assert.True(result.Code == 0, result.Err + result.Out);
        AssertReplicasIdentical(replicas, 2);
        var run = Directory.GetDirectories(Path.Combine(runs, "GraphNet")).Single();
        var epoch = Assert.Single(Events(Path.Combine(run, RunFolder.MetricsFile), "epoch"));
        Assert.Equal(4, (int)epoch["globalStep"]!); // 128 examples, global batch 32
        AssertPng(Path.Combine(run, "samples", "epoch-001.png"), 4 * 60, 2 * 60);
        using (var model = ModelBuilder.Build(config.Network!))
            model.load_py(Path.Combine(run, RunFolder.ModelFile)); // the graph's state dict keys are the trainer's

        var local = Trainer.Run(new TrainOptions { Config = config, SourceText = "", Epochs = 1, Limit = 128, OutDir = Path.Combine(package, "annlsp-runs"), TensorBoard = false });
        Assert.True(local.Succeeded, local.Reason);
        var localEpoch = Assert.Single(Events(Path.Combine(local.RunDir, RunFolder.MetricsFile), "epoch"));
        foreach (var key in new[] { "loss", "val_loss", "accuracy" })
            output.WriteLine($"graph classifier {key}: annlsp train {localEpoch[key]}, torchrun {epoch[key]}");
        foreach (var key in new[] { "loss", "val_loss" })
            Assert.True(Math.Abs((double)localEpoch[key]! - (double)epoch[key]!) < 1e-3, $"{key}: annlsp train {localEpoch[key]}, torchrun {epoch[key]}");
    }

    /// <summary>pix2pix at 32×32 on edges(shapes): a U-Net-like generator (a concat skip) and a patch discriminator, no batch norm,
    /// so two processes of half a batch each compute what one process of the whole batch does.</summary>
    private const string Pix2PixSource = """
        network Gen {
            input(1x32x32)
            conv(8, kernel: 4, stride: 2, padding: 1)                      as e1   # -> 8x16x16
            leakyrelu(0.2) -> conv(8, kernel: 4, stride: 2, padding: 1)            # -> 8x8x8
            relu -> deconv(8, kernel: 4, stride: 2, padding: 1) -> concat(e1)      # -> 16x16x16
            relu -> deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh            # -> 1x32x32
        }
        network Patch {
            input(2x32x32)
            conv(8, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
            conv(1, kernel: 4, stride: 2, padding: 1)                              # -> 1x8x8 patch logits
        }
        gan Edges { generator: Gen, discriminator: Patch, l1: 50 }
        train Edges { data: edges(shapes, size: 32x32), epochs: 1, batch: 16, optimizer: adam(lr: 2e-3, beta1: 0.5), preview: 3, seed: 3 }
        """;

    [Fact]
    public void Train_pys_edges_are_the_products_edge_maps()
    {
        var dir = TestSetup.TempDir("torchrun-edges");
        TorchrunPackage.WriteShapes(dir);
        foreach (var (name, count, seed) in new[] { ("train", DataSets.ShapesTrainCount, 1234), ("test", DataSets.ShapesTestCount, 98765) })
        {
            var (pixels, labels) = ShapesDataSet.Generate(count, seed);
            using var images = new TensorDataSet(TorchSharp.torch.tensor(pixels, [count, 1, 28, 28]), TorchSharp.torch.tensor(labels), ShapesDataSet.ClassNames, "shapes");
            using var edges = PairedDataSets.Edges(images, 32, 32);
            File.WriteAllBytes(Path.Combine(dir, name + ".inputs"), edges.Inputs!.contiguous().bytes.ToArray());
            File.WriteAllBytes(Path.Combine(dir, name + ".targets"), edges.Images.contiguous().bytes.ToArray());
        }
        var script = Path.Combine(dir, "compare.py");
        File.WriteAllText(script, $$"""
            import sys
            import numpy as np
            sys.path.insert(0, {{PythonRunner.Quote(Path.Combine(Repo, "server", "Annlsp.Training", "Export", "Torchrun"))}})
            import annlsp_data
            source = {"name": "shapes", "classes": ["circle", "square", "triangle", "cross"]}
            train, test = annlsp_data.load({"name": "edges", "shape": [1, 32, 32], "source": source}, {{PythonRunner.Quote(dir)}})
            for name, split in (("train", train), ("test", test)):
                product = [np.fromfile({{PythonRunner.Quote(dir)}} + f"/{name}.{part}", dtype=np.uint8).astype(np.int32) for part in ("inputs", "targets")]
                ours = [split[key].numpy().reshape(-1).astype(np.int32) for key in ("inputs", "images")]
                print(tuple(split["inputs"].shape), tuple(split["images"].shape), *[f"{int((a != b).sum())} {int(abs(a - b).max())}" for a, b in zip(product, ours)])
            """);
        var lines = PythonRunner.Run(script).Trim().Split('\n');
        Assert.Equal(["(6000, 1, 32, 32) (6000, 1, 32, 32)", "(1000, 1, 32, 32) (1000, 1, 32, 32)"], lines.Select(l => string.Join(' ', l.Split(' ')[..8])));
        foreach (var line in lines)
        {
            var n = line.Split(' ')[8..].Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); // inputs: differing, largest difference; targets: the same
            Assert.Equal((0, 0), (n[0], n[1])); // the edge maps byte for byte
            // the targets: PyTorch 1.13's bilinear resize and LibTorch 2.10's round some pixels at .5 the other way
            // (a 28→32 resize of near-binary images lands on many exact .5 ties of x·255)
            Assert.True(n[3] <= 1 && n[2] < 6000 * 32 * 32 / 1000, line);
        }
    }

    /// <summary>pairs("dir"): train/ and val/ of RGB PNGs (gradients and noise, so every PNG row filter occurs) read by the
    /// package's reader (zlib alone, no Pillow) from the package's own data description, against the trainer's reader.</summary>
    [Theory]
    [InlineData(1, "BtoA")]
    [InlineData(3, "AtoB")]
    public void Train_pys_pairs_reader_reads_what_the_trainer_reads(int channels, string direction)
    {
        var dir = TestSetup.TempDir("torchrun-pairs");
        var rng = new Random(channels);
        foreach (var (split, count) in new[] { ("train", 4), ("val", 2) })
        {
            Directory.CreateDirectory(Path.Combine(dir, split));
            for (int i = 0; i < count; i++)
            {
                int w = 48, h = 24 + 2 * i;
                var pixels = new byte[w * h * 3];
                for (int k = 0; k < pixels.Length; k++)
                    pixels[k] = (byte)(k % 3 == 0 ? (k / 3 % w) * 5 : k % 3 == 1 ? (k / 3 / w) * 9 : rng.Next(256));
                using var stream = File.Create(Path.Combine(dir, split, $"{i}.png"));
                new StbImageWriteSharp.ImageWriter().WritePng(pixels, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
            }
        }
        var source = $$"""
            network G { input({{channels}}x16x16) conv({{channels}}, kernel: 3, padding: same) -> tanh }
            network D { input({{2 * channels}}x16x16) conv(1, kernel: 4, stride: 2, padding: 1) }
            gan P { generator: G, discriminator: D }
            train P { data: pairs("{{dir}}", size: 16x16, channels: {{channels}}, direction: {{direction}}) }
            """;
        var (package, config) = PackageOf(source, "P");
        using var data = DataSets.Load(new DataRequest { Data = config.Data });
        var script = Path.Combine(package, "hash.py");
        File.WriteAllText(script, $$"""
            import hashlib, json, sys
            sys.path.insert(0, {{PythonRunner.Quote(package)}})
            import annlsp_data
            train, test = annlsp_data.load(json.load(open({{PythonRunner.Quote(Path.Combine(package, TorchrunPackage.TargetFile))}}))["data"])
            for split in (train, test):
                print(split["description"], tuple(split["inputs"].shape), hashlib.sha256(split["inputs"].numpy().tobytes()).hexdigest(), hashlib.sha256(split["images"].numpy().tobytes()).hexdigest())
            """);
        var expected = new[] { data.Train, data.Evaluation! }.Select(set =>
            $"{set.Description} ({set.Count}, {channels}, 16, 16) {Hex(set.Inputs!.contiguous().bytes.ToArray())} {Hex(set.Images.contiguous().bytes.ToArray())}");
        Assert.Equal(expected, PythonRunner.Run(script).Trim().Split('\n'));
    }

    [Fact]
    public void A_pix2pix_on_edges_of_shapes_trains_with_two_processes_as_annlsp_train_does()
    {
        var (package, config) = PackageOf(Pix2PixSource, "Edges");
        Assert.Equal("pix2pix", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(package, TorchrunPackage.TargetFile)))!["kind"]);
        var runs = Path.Combine(package, "runs");
        var replicas = Path.Combine(package, "replicas");
        var result = Torchrun(package, 2, ["--epochs", "1", "--limit", "128", "--progress-every", "1", "--out", runs], replicas);
        Assert.True(result.Code == 0, result.Err + result.Out);
        AssertReplicasIdentical(replicas, 2);
        var run = Directory.GetDirectories(Path.Combine(runs, "Edges")).Single();
        var runJson = RunFolder.Open(run).ReadRunJson()!;
        Assert.Equal("pix2pix", (string?)runJson["kind"]);
        Assert.Equal(50, (double)runJson["networks"]!["l1"]!);
        var steps = Events(Path.Combine(run, RunFolder.MetricsFile), "step");
        Assert.Equal(8, steps.Count); // 128 pairs, global batch 16
        Assert.All(steps, s => Assert.True(double.IsFinite((double)s["loss_d"]!) && double.IsFinite((double)s["loss_g"]!)));
        Assert.True((double)steps[^1]["loss_g"]! < (double)steps[0]["loss_g"]!, string.Join(", ", steps.Select(s => s["loss_g"])));
        var epoch = Assert.Single(Events(Path.Combine(run, RunFolder.MetricsFile), "epoch"));
        Assert.Equal("test", (string?)epoch["evaluationSet"]);
        AssertPng(Path.Combine(run, "samples", "epoch-001.png"), 3 * 36, 3 * 36); // 3 rows of input | generated | target
        Assert.True(File.Exists(Path.Combine(run, "discriminator.pt")));
        var (tensors, meta) = RunFolder.LoadCheckpoint(Path.Combine(run, RunFolder.CheckpointFile));
        Assert.Equal(8L, (long)meta["globalStep"]!);
        Assert.Equal(config.Gan!.Generator!.Parameters, tensors["optim_g.exp_avg"].numel());
        using (var g = ModelBuilder.Build(config.Gan!.Generator!))
            g.load_py(Path.Combine(run, RunFolder.ModelFile));

        // annlsp train on the same 128 pairs, one process: the same epoch
        var local = Trainer.Run(new TrainOptions { Config = config, SourceText = "", Epochs = 1, Limit = 128, OutDir = Path.Combine(package, "annlsp-runs"), TensorBoard = false });
        Assert.True(local.Succeeded, local.Reason);
        var localEpoch = Assert.Single(Events(Path.Combine(local.RunDir, RunFolder.MetricsFile), "epoch"));
        foreach (var key in new[] { "loss_d", "loss_g", "l1", "psnr", "l1_input", "psnr_input" })
            output.WriteLine($"pix2pix {key}: annlsp train {localEpoch[key]}, torchrun {epoch[key]}");
        foreach (var key in new[] { "loss_d", "loss_g", "l1", "psnr", "l1_input", "psnr_input" })
            Assert.True(Math.Abs((double)localEpoch[key]! - (double)epoch[key]!) < 1e-3 * Math.Max(1, Math.Abs((double)localEpoch[key]!)), $"{key}: annlsp train {localEpoch[key]}, torchrun {epoch[key]}");

        // annlsp train --resume continues the torchrun run: the checkpoint's keys are the trainer's
        var resumed = Trainer.Run(new TrainOptions { Config = config, SourceText = "", Epochs = 2, Limit = 128, ResumeDir = run, TensorBoard = false });
        Assert.True(resumed.Succeeded, resumed.Reason);
        Assert.Equal([8, 16], Events(Path.Combine(run, RunFolder.MetricsFile), "epoch").Select(e => (int)e["globalStep"]!));
    }

    /// <summary>
    /// The adversarial kinds share train.py's stop and resume: a SIGTERM after the first step event stops the run at a step
    /// with a mid-epoch checkpoint, the models and a "stopped" event; resuming finishes the epoch where an uninterrupted
    /// run would, with one step event per global step in metrics.jsonl.
    /// </summary>
    [Theory]
    [InlineData("gan")]
    [InlineData("pix2pix")]
    public async Task An_adversarial_run_stopped_by_sigterm_checkpoints_mid_epoch_and_resumes_to_the_epochs_end(string kind)
    {
        var (package, config) = kind == "gan" ? Package("dcgan.ann", "FashionGAN as shapes") : PackageOf(Pix2PixSource, "Edges");
        int limit = 32 * config.Batch, steps = 32; // enough steps that the signal lands before the epoch's end
        var runs = Path.Combine(package, "runs");
        var psi = StartInfo(package, PythonRunner.Python, ["train.py", "--epochs", "1", "--limit", $"{limit}", "--progress-every", "1", "--out", runs], null, []);
        using (var p = Process.Start(psi)!)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            bool signalled = false;
            while (p.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
                if (!signalled && line.Contains("\"event\":\"step\""))
                {
                    using var kill = Process.Start("kill", ["-TERM", $"{p.Id}"])!;
                    kill.WaitForExit();
                    signalled = true;
                }
            }
            Assert.True(p.WaitForExit(120_000));
            Assert.True(p.ExitCode == 0, await stderr);
            var stopped = Stdout(string.Join('\n', lines), "finished").Single();
            Assert.Equal("stopped", (string?)stopped["status"]);
            Assert.InRange((int)stopped["globalStep"]!, 1, steps - 1);
        }
        var run = Directory.GetDirectories(Directory.GetDirectories(runs).Single()).Single();
        var (_, meta) = RunFolder.LoadCheckpoint(Path.Combine(run, RunFolder.CheckpointFile));
        int stoppedAt = (int)(long)meta["globalStep"]!;
        Assert.Equal((0, stoppedAt), ((int)meta["epoch"]!, (int)meta["stepInEpoch"]!));
        Assert.True(File.Exists(Path.Combine(run, RunFolder.ModelFile)) && File.Exists(Path.Combine(run, "discriminator.pt")));

        var resumed = Python(package, ["--epochs", "1", "--limit", $"{limit}", "--progress-every", "1", "--resume", run], []);
        Assert.True(resumed.Code == 0, resumed.Err + resumed.Out);
        Assert.Equal(stoppedAt, (int)Stdout(resumed.Out, "started").Single()["resumedFrom"]!);
        var finished = Stdout(resumed.Out, "finished").Single();
        Assert.Equal(("finished", steps), ((string?)finished["status"], (int)finished["globalStep"]!));
        Assert.Equal(Enumerable.Range(1, steps), Events(Path.Combine(run, RunFolder.MetricsFile), "step").Select(e => (int)e["globalStep"]!));
        Assert.Equal(steps, (int)Assert.Single(Events(Path.Combine(run, RunFolder.MetricsFile), "epoch"))["globalStep"]!);
    }

    /// <summary>A denoiser that reads `time`, a short cosine schedule and DDIM with few steps: the previews are cheap. It
    /// predicts the velocity, so the comparison with `annlsp train` below also holds the package's training target to the product's.</summary>
    private const string DiffusionSource = """
        network Denoiser {
            input(1x28x28)
            conv(8, kernel: 3, padding: same) -> relu
            add(time -> dense(8))
            conv(8, kernel: 3, padding: same) -> relu
            conv(1, kernel: 3, padding: same)
        }
        diffusion Shapes { denoiser: Denoiser, steps: 50, schedule: cosine, sampler: ddim(5), ema: 0.9, time_embed: 16, predict: velocity }
        train Shapes { data: shapes, epochs: 2, batch: 32, optimizer: adam(lr: 3e-3), preview: 2x3, score_samples: 0, seed: 3 }
        """;

    [Fact]
    public void A_diffusion_on_shapes_trains_with_two_processes_and_annlsp_sample_reads_its_moving_average()
    {
        var (package, config) = PackageOf(DiffusionSource, "Shapes");
        Assert.True(File.Exists(Path.Combine(package, "Shapes.py"))); // the schedule and samplers, as annlsp export writes them
        var runs = Path.Combine(package, "runs");
        var replicas = Path.Combine(package, "replicas");
        var result = Torchrun(package, 2, ["--epochs", "2", "--limit", "192", "--progress-every", "1", "--out", runs], replicas);
        Assert.True(result.Code == 0, result.Err + result.Out);
        AssertReplicasIdentical(replicas, 2);
        var run = Directory.GetDirectories(Path.Combine(runs, "Shapes")).Single();
        var runJson = RunFolder.Open(run).ReadRunJson()!;
        Assert.Equal("diffusion", (string?)runJson["kind"]);
        Assert.Equal("cosine", (string?)runJson["networks"]!["diffusion"]!["schedule"]);
        Assert.Equal("velocity", (string?)runJson["networks"]!["diffusion"]!["predict"]);
        Assert.Equal("mse (predicted against true velocity)", (string?)runJson["loss"]);
        var epochs = Events(Path.Combine(run, RunFolder.MetricsFile), "epoch");
        Assert.Equal([6, 12], epochs.Select(e => (int)e["globalStep"]!)); // 192 images, global batch 32
        var losses = epochs.Select(e => (double)e["loss"]!).ToList();
        output.WriteLine($"diffusion epoch losses (torchrun, 2 processes): {string.Join(", ", losses)}");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[1] < losses[0], $"the velocity loss did not fall: {string.Join(", ", losses)}");
        foreach (var sample in Stdout(result.Out, "sample"))
        {
            AssertPng((string)sample["path"]!, 3 * 32, 2 * 32);
            AssertPng((string)sample["trajectory"]!, DiffusionProcess.TrajectoryFrames * 32, DiffusionProcess.TrajectorySamples * 32);
        }
        Assert.True(File.Exists(Path.Combine(run, "samples", "trajectory-002.png")));
        var (tensors, meta) = RunFolder.LoadCheckpoint(Path.Combine(run, RunFolder.CheckpointFile));
        Assert.Equal((2, 12L), ((int)meta["epoch"]!, (long)meta["globalStep"]!));
        Assert.Contains(tensors.Keys, k => k.StartsWith("ema.", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(run, "denoiser-trained.pt")));
        var local = Trainer.Run(new TrainOptions { Config = config, SourceText = "", Epochs = 2, Limit = 192, OutDir = Path.Combine(package, "annlsp-runs"), TensorBoard = false });
        Assert.True(local.Succeeded, local.Reason);
        var localLosses = Events(Path.Combine(local.RunDir, RunFolder.MetricsFile), "epoch").Select(e => (double)e["loss"]!).ToList();
        output.WriteLine($"diffusion epoch losses (annlsp train): {string.Join(", ", localLosses)}");
        // the same recipe, not the same numbers: each rank draws its own steps and noise
        for (int e = 0; e < 2; e++) Assert.True(Math.Abs(localLosses[e] - losses[e]) < 0.1, $"epoch {e + 1}: annlsp train {localLosses[e]}, torchrun {losses[e]}");

        // one process continues the two processes' run, with the moving average from the checkpoint
        var resumed = Python(package, ["--epochs", "3", "--limit", "192", "--resume", run], new Dictionary<string, string>());
        Assert.True(resumed.Code == 0, resumed.Err + resumed.Out);
        Assert.Equal(12, (int)Stdout(resumed.Out, "started").Single()["resumedFrom"]!);
        Assert.Equal([6, 12, 18], Events(Path.Combine(run, RunFolder.MetricsFile), "epoch").Select(e => (int)e["globalStep"]!));
        Assert.True(File.Exists(Path.Combine(run, "samples", "trajectory-003.png")));
        var grid = Path.Combine(package, "sample.png");
        var (w, h) = DiffusionSampling.Sample(config.Diffusion!, Path.Combine(run, RunFolder.ModelFile), grid, new Pair(2, 2), 7); // annlsp sample
        Assert.Equal((2 * 32, 2 * 32), (w, h));
    }

    [Fact]
    public void A_missing_data_folder_a_corrupt_checkpoint_and_an_unreachable_rendezvous_are_clear_errors()
    {
        var (package, _) = Package("shapes.ann", "ShapeNet");

        var missing = Python(package, ["--data", "/nonexistent/shapes-data"], new Dictionary<string, string>());
        Assert.Equal(1, missing.Code);
        Assert.Contains("error: shapes: the data folder /nonexistent/shapes-data does not exist", missing.Err);

        // a checkpoint in the product's format, cut short as by a full disk
        var run = Path.Combine(package, "broken-run");
        Directory.CreateDirectory(run);
        var checkpoint = Path.Combine(run, RunFolder.CheckpointFile);
        RunFolder.SaveCheckpoint(checkpoint, [("model.x", TorchSharp.torch.zeros(1000))], new JsonObject { ["target"] = "ShapeNet", ["seed"] = 1, ["epoch"] = 1, ["stepInEpoch"] = 0, ["globalStep"] = 1 });
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        var corrupt = Python(package, ["--resume", run], new Dictionary<string, string>());
        Assert.Equal(1, corrupt.Code);
        Assert.Contains($"error: {checkpoint} cannot be read as a checkpoint (", corrupt.Err);
        Assert.Contains("start afresh without --resume", corrupt.Err);

        // rank 1 of two whose rank 0 never comes (torchrun's environment, as on a second node): train.py's own bound
        int port = FreePort();
        var alone = Python(package, ["--timeout", "3"], new Dictionary<string, string>
        {
            ["WORLD_SIZE"] = "2", ["RANK"] = "1", ["LOCAL_RANK"] = "0", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
        });
        Assert.Equal(1, alone.Code);
        Assert.Contains($"error: could not join the other 1 processes at 127.0.0.1:{port} within 3 s", alone.Err);

        // torchrun's rendezvous with a master that is not there: torchrun gives up after --rdzv_conf timeout
        var rendezvous = Run(package, "/usr/bin/torchrun",
            ["--nnodes=2", "--node_rank=1", "--nproc_per_node=1", "--master_addr=127.0.0.1", $"--master_port={port}", "--rdzv_conf=timeout=3", .. DebianRedirects, "train.py"], null,
            new Dictionary<string, string>(), TimeSpan.FromSeconds(150));
        Assert.NotEqual(0, rendezvous.Code);
        Assert.Contains($"timed out after 3s while trying to connect to (127.0.0.1, {port})", rendezvous.Err);
    }

    // ---- helpers ----

    /// <summary>
    /// Debian 12's torchrun (PyTorch 1.13 on Python 3.11) cannot parse its own default `--redirects 0`
    /// (`AttributeError: 'NoneType' object has no attribute 'get'`): Python 3.11 no longer lists a zero flag
    /// when iterating the enum. Redirecting stderr alone (teed to the console) leaves stdout — the events — as it is.
    /// </summary>
    public static readonly string[] DebianRedirects = ["--redirects", "2", "--tee", "2"];

    private static (string Package, TrainConfig Config) Package(string example, string target)
    {
        var path = Path.Combine(Repo, "examples", example);
        return PackageOf(File.ReadAllText(path), target, path);
    }

    private static (string Package, TrainConfig Config) PackageOf(string text, string target, string? path = null)
    {
        var analysis = DocumentAnalysis.Analyze(text);
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Where(d => d.IsError).Select(d => d.Message)));
        var config = TrainingTargets.ResolveTrain(analysis, target);
        var dir = TestSetup.TempDir("torchrun-package");
        var written = TorchrunPackage.Write(config, text, path, dir);
        Assert.EndsWith(TorchrunPackage.ReadmeFile, written[0]);
        return (dir, config);
    }

    private static (int Code, string Out, string Err) Torchrun(string package, int processes, string[] args, string? replicaDir) =>
        Run(package, "/usr/bin/torchrun", ["--standalone", $"--nproc_per_node={processes}", .. DebianRedirects, "train.py", .. args], replicaDir,
            new Dictionary<string, string>(), TimeSpan.FromSeconds(300));

    private static (int Code, string Out, string Err) Python(string package, string[] args, Dictionary<string, string> env) =>
        Run(package, PythonRunner.Python, ["train.py", .. args], null, env, TimeSpan.FromSeconds(120));

    /// <summary>A train.py process as every test starts it: Debian's libraries (not the product's LibTorch), one OpenMP thread.</summary>
    private static ProcessStartInfo StartInfo(string dir, string program, string[] args, string? replicaDir, Dictionary<string, string> env)
    {
        Assert.True(File.Exists(program), $"{program} is needed: sudo apt-get install -y python3-torch");
        var psi = new ProcessStartInfo(program) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("LD_LIBRARY_PATH");
        psi.Environment["OMP_NUM_THREADS"] = "1";
        if (replicaDir is not null) psi.Environment["ANNLSP_REPLICA_DIR"] = replicaDir;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    private static (int Code, string Out, string Err) Run(string dir, string program, string[] args, string? replicaDir, Dictionary<string, string> env, TimeSpan timeout)
    {
        using var p = Process.Start(StartInfo(dir, program, args, replicaDir, env))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not end within {timeout.TotalSeconds} s:\n{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Every rank's parameters, saved by train.py at the end (ANNLSP_REPLICA_DIR), compared exactly by PyTorch.</summary>
    private static void AssertReplicasIdentical(string dir, int ranks)
    {
        var script = Path.Combine(dir, "compare.py");
        File.WriteAllText(script, $$"""
            import torch
            copies = [torch.load({{PythonRunner.Quote(dir)}} + f"/rank-{r}.pt") for r in range({{ranks}})]
            names = [(i, k) for i, m in enumerate(copies[0]) for k in m]
            same = all(torch.equal(copies[0][i][k], c[i][k]) for c in copies[1:] for i, k in names)
            print(len(names), same)
            """);
        var output = PythonRunner.Run(script).Trim().Split(' ');
        Assert.True(int.Parse(output[0], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("True", output[1]);
    }

    private static List<JsonObject> Events(string metrics, string kind) =>
        File.ReadLines(metrics).Select(l => JsonNode.Parse(l)!.AsObject()).Where(o => (string?)o["event"] == kind).ToList();

    private static List<JsonObject> Stdout(string output, string kind) =>
        output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).Where(o => (string?)o["event"] == kind).ToList();

    private static void AssertPng(string path, int width, int height)
    {
        using var stream = File.OpenRead(path);
        var image = StbImageSharp.ImageResult.FromStream(stream, StbImageSharp.ColorComponents.RedGreenBlue);
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Contains(image.Data, b => b > 100); // not an empty canvas
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
