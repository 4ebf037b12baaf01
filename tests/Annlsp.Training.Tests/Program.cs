using Annlsp.Progress;
using Annlsp.Training.Native;
using Annlsp.Training.Training;
using TorchSharp;

namespace Annlsp.Training.Tests;

/// <summary>Child-process scenarios for tests that need a fresh process (native loading is process-wide).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "probe-libtorch":
            {
                var info = TorchRuntime.Initialize(new TorchRuntimeOptions { LibTorch = args[1], Device = "auto" });
                using var x = torch.ones(4, 3);
                using var lin = torch.nn.Linear(3, 2);
                using var y = lin.forward(x);
                Console.WriteLine($"device={info.DeviceName}");
                Console.WriteLine($"source={info.LibTorchSource}");
                Console.WriteLine($"allocator={TorchRuntime.Allocator}");
                foreach (var l in info.LoadedLibraries) Console.WriteLine($"loaded={l}");
                Console.WriteLine($"shape={string.Join("x", y.shape)}");
                // Which libtorch_cpu.so files are mapped into this process (must be exactly one).
                foreach (var line in File.ReadLines("/proc/self/maps").Where(l => l.Contains("libtorch_cpu.so")).Select(l => l[(l.IndexOf('/'))..]).Distinct())
                    Console.WriteLine($"mapped={line}");
                return 0;
            }
            case "train-shapes":
            {
                // train-shapes OUTDIR EPOCHS LIMIT BATCH [RESUMEDIR]: LeNet on shapes, events as JSON lines, stops on SIGTERM.
                using var stop = new StopSignals();
                var config = Nets.Classifier(Nets.LeNet(4), Nets.Shapes, epochs: int.Parse(args[2]), batch: int.Parse(args[4]));
                var result = Trainer.Run(new TrainOptions
                {
                    Config = config, OutDir = args[1], Limit = int.Parse(args[3]), ResumeDir = args.Length > 5 ? args[5] : null,
                    ProgressEvery = 1, TensorBoard = false, Cancellation = stop.Token,
                    Observer = new CollectingObserver { Callback = e => { Console.WriteLine(ProgressJson.Write(e)); Console.Out.Flush(); } },
                });
                return result.Succeeded ? 0 : 1;
            }
            case "bench":
                return Benchmark.Run(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 64);
            case "bench-graph":
                return Benchmark.RunGraph(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 64);
            case "bench-diffusion":
                return DiffusionBenchmark.Run(args[1], args[2], args[3], int.Parse(args[4]), int.Parse(args[5]));
            default:
                Console.Error.WriteLine("usage: Annlsp.Training.Tests.dll probe-libtorch DIR");
                return 2;
        }
    }
}
