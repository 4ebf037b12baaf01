using System.Diagnostics;
using Annlsp.Benchmarks;
using Annlsp.Language;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Annlsp.Benchmarks                  BenchmarkDotNet: parse + check of a 10,000-line file
// dotnet run -c Release --project tests/Annlsp.Benchmarks -- --breakdown   Stopwatch medians: lexer, parser, checker (fast, for profiling)
// dotnet run -c Release --project tests/Annlsp.Benchmarks -- --breakdown-unets   the same on a 10,000-line file of U-Nets
// dotnet run -c Release --project tests/Annlsp.Benchmarks -- --write F     write the generated file to F (--write-unets: the U-Net file)
// dotnet run -c Release --project tests/Annlsp.Benchmarks -- --profile N   parse + check N times (to run under dotnet-trace; --profile-unets: the U-Net file)
if (args is ["--write" or "--write-unets", var path, ..])
{
    File.WriteAllText(path, args[0] == "--write" ? BenchmarkInput.Generate(LanguageBenchmarks.Lines) : BenchmarkInput.GenerateUNets(LanguageBenchmarks.Lines));
    Console.WriteLine($"wrote {path}");
    return 0;
}
if (args is ["--profile" or "--profile-unets", var times, ..])
{
    // Only parse + check in a loop, for a profiler (dotnet-trace collect -- dotnet Annlsp.Benchmarks.dll --profile 200).
    string input = args[0] == "--profile" ? BenchmarkInput.Generate(LanguageBenchmarks.Lines) : BenchmarkInput.GenerateUNets(LanguageBenchmarks.Lines);
    for (int i = 0; i < int.Parse(times); i++) DocumentAnalysis.Analyze(input);
    return 0;
}
if (args is ["--breakdown" or "--breakdown-unets", ..])
{
    int lines = args.Length > 2 && int.TryParse(args[2], out int l) ? l : LanguageBenchmarks.Lines;
    return Breakdown.Run(args.Length > 1 && int.TryParse(args[1], out int n) ? n : 50,
        args[0] == "--breakdown" ? BenchmarkInput.Generate(lines) : BenchmarkInput.GenerateUNets(lines));
}
BenchmarkSwitcher.FromAssembly(typeof(LanguageBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
return 0;

namespace Annlsp.Benchmarks
{
    /// <summary>Parse + check of a generated, realistic 10,000-line file (the target: ≤ 10 ms median), and its parts.</summary>
    [MemoryDiagnoser]
    [MedianColumn, MinColumn, MaxColumn]
    public class LanguageBenchmarks
    {
        public const int Lines = 10_000;
        private string _text = "";

        [GlobalSetup]
        public void Setup()
        {
            _text = BenchmarkInput.Generate(Lines);
            var errors = DocumentAnalysis.Analyze(_text).Diagnostics.Where(d => d.IsError).ToList();
            if (errors.Count > 0) throw new InvalidOperationException($"the benchmark input has {errors.Count} errors, e.g. {errors[0]}");
        }

        /// <summary>What the editor does on every change: lex, parse, bind, shape-check, sort diagnostics.</summary>
        [Benchmark(Baseline = true)]
        public DocumentAnalysis ParseAndCheck() => DocumentAnalysis.Analyze(_text);

        [Benchmark]
        public CompilationUnitSyntax Parse() => Parser.Parse(_text, new DiagnosticBag());

        [Benchmark]
        public List<SyntaxToken> Lex() => Lexer.Tokenize(_text, new DiagnosticBag());
    }

    /// <summary>Parse + check of a 10,000-line file of U-Nets and projection ResNets (the target: ≤ 15 ms median).</summary>
    [MemoryDiagnoser]
    [MedianColumn, MinColumn, MaxColumn]
    public class GraphBenchmarks
    {
        private string _text = "";

        [GlobalSetup]
        public void Setup()
        {
            _text = BenchmarkInput.GenerateUNets(LanguageBenchmarks.Lines);
            var errors = DocumentAnalysis.Analyze(_text).Diagnostics.Where(d => d.IsError).ToList();
            if (errors.Count > 0) throw new InvalidOperationException($"the U-Net benchmark input has {errors.Count} errors, e.g. {errors[0]}");
        }

        [Benchmark]
        public DocumentAnalysis ParseAndCheckUNets() => DocumentAnalysis.Analyze(_text);
    }

    /// <summary>
    /// The same analysis timed one call at a time: what one keystroke costs. BenchmarkDotNet's default job
    /// (above) averages many calls per iteration, so its median spreads the occasional garbage collection
    /// over all of them; here each measurement is one analysis, so the median is the typical keystroke and
    /// the collections show in the mean and the upper percentiles.
    /// </summary>
    [MemoryDiagnoser]
    [MedianColumn, MinColumn, MaxColumn, BenchmarkDotNet.Attributes.AllStatisticsColumn]
    [InvocationCount(1, 1)]
    [WarmupCount(40)]   // tiered compilation with dynamic PGO settles after some 30 analyses
    [IterationCount(200)]
    public class SingleAnalysisBenchmarks
    {
        private string _text = "";

        [GlobalSetup]
        public void Setup() => _text = BenchmarkInput.Generate(LanguageBenchmarks.Lines);

        [Benchmark]
        public DocumentAnalysis ParseAndCheckOnce() => DocumentAnalysis.Analyze(_text);
    }

    /// <summary>A quick Stopwatch breakdown, for profiling where time goes without BenchmarkDotNet's minutes.</summary>
    public static class Breakdown
    {
        public static int Run(int iterations, string text)
        {
            var analysis = DocumentAnalysis.Analyze(text);
            int errors = analysis.Diagnostics.Count(d => d.IsError);
            Console.WriteLine($"input: {text.Count(c => c == '\n'):N0} lines, {text.Length:N0} chars, {analysis.Networks.Count} networks, " +
                              $"{analysis.Networks.Values.Sum(n => n.Layers.Count):N0} layers, {analysis.Trains.Count} trains, {analysis.Diagnostics.Count} diagnostics ({errors} errors)");
            // One loop per stage, so each stage's medians are not mixed with the others' garbage collections.
            List<double> Time(Action run)
            {
                var times = new List<double>();
                // Tiered compilation with dynamic PGO takes some 30 runs to reach its final code (50 ms → 10 ms);
                // a server reaches that state within its first minute of editing.
                const int WarmUp = 40;
                for (int i = 0; i < iterations + WarmUp; i++)
                {
                    var sw = Stopwatch.StartNew();
                    run();
                    if (i >= WarmUp) times.Add(sw.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                return times;
            }
            var lex = Time(() => Lexer.Tokenize(text, new DiagnosticBag()));
            var parse = Time(() => Parser.Parse(text, new DiagnosticBag()));
            var total = Time(() => DocumentAnalysis.Analyze(text));
            long before = GC.GetAllocatedBytesForCurrentThread();
            int gcs = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            const int Runs = 40;
            for (int i = 0; i < Runs; i++) DocumentAnalysis.Analyze(text);
            double cpuMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Runs;
            long allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / Runs;
            double pauseMs = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds / Runs;
            string gcKinds = $"gen0 {GC.CollectionCount(0) - gcs}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2} in {Runs} runs";
            before = GC.GetAllocatedBytesForCurrentThread();
            Lexer.Tokenize(text, new DiagnosticBag());
            long lexBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            Parser.Parse(text, new DiagnosticBag());
            long parseBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Console.WriteLine($"allocations: lexer {lexBytes / 1048576.0:0.0} MB, parser {(parseBytes - lexBytes) / 1048576.0:0.0} MB, checker + rest {(allocated - parseBytes) / 1048576.0:0.0} MB");
            Console.WriteLine($"parse + check allocates {allocated / 1048576.0:0.0} MB, " +
                              $"{(GC.CollectionCount(0) - gcs) / (double)Runs:0.0} GCs ({gcKinds}), {pauseMs:0.0} ms of GC pause and {cpuMs:0.0} ms of process CPU time per run");
            double Median(List<double> xs) => xs[xs.Count / 2];
            double ml = Median(lex), mp = Median(parse), mt = Median(total);
            Console.WriteLine($"fastest of {iterations}: lexer {lex[0]:0.00} ms, parser (incl. lexer) {parse[0]:0.00} ms, parse + check {total[0]:0.00} ms");
            Console.WriteLine($"median of {iterations}: lexer {ml:0.00} ms, parser (incl. lexer) {mp:0.00} ms, parse + check {mt:0.00} ms " +
                              $"(so parser alone ≈ {mp - ml:0.00} ms, checker + rest ≈ {mt - mp:0.00} ms)");
            return errors == 0 ? 0 : 1;
        }
    }
}
