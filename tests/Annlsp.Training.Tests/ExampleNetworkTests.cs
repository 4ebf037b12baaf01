using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Model;

namespace Annlsp.Training.Tests;

/// <summary>The builder agrees with the checker, layer by layer, on every shipped example and on generated networks.</summary>
public class ExampleNetworkTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestSetup.RepoRoot(), "examples"), "*.ann").OrderBy(f => f))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_network_of_an_example_builds_with_the_checkers_shapes(string file)
    {
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Path.Combine(TestSetup.RepoRoot(), "examples", file)));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
        Assert.NotEmpty(analysis.Networks);
        foreach (var network in analysis.Networks.Values)
        {
            using var model = ModelBuilder.Build(network); // verifies every layer's output shape
            Assert.Equal(network.Parameters, model.parameters().Sum(p => p.numel()));
        }
    }

    [Fact]
    public void Generated_networks_build_with_the_checkers_shapes()
    {
        var rng = new Random(42);
        int built = 0;
        for (int i = 0; i < 60 && built < 25; i++)
        {
            var text = RandomNetwork(rng, i);
            var analysis = DocumentAnalysis.Analyze(text);
            if (analysis.HasErrors) continue; // the generator may produce sizes that fall to zero; the checker says so
            foreach (var network in analysis.Networks.Values)
            {
                using var model = ModelBuilder.Build(network);
                Assert.Equal(network.Parameters, model.parameters().Sum(p => p.numel()));
            }
            built++;
        }
        Assert.True(built >= 15, $"only {built} generated networks were valid");
    }

    private static string RandomNetwork(Random rng, int index)
    {
        int c = rng.Next(2) == 0 ? 1 : 3, h = rng.Next(12, 40), w = rng.Next(12, 40);
        var sb = new System.Text.StringBuilder($"network G{index} {{\n  input({c}x{h}x{w})\n");
        int depth = rng.Next(2, 7);
        for (int k = 0; k < depth; k++)
        {
            switch (rng.Next(9))
            {
                case 0: sb.Append($"  conv({rng.Next(1, 9)}, kernel: {rng.Next(1, 4)}, stride: {rng.Next(1, 3)}, padding: {rng.Next(0, 2)})\n"); break;
                case 1: sb.Append($"  conv({rng.Next(1, 9)}, kernel: {rng.Next(1, 3) * 2 + 1}, padding: same)\n"); break;
                case 2: sb.Append($"  conv({rng.Next(1, 9)}, kernel: {rng.Next(2, 4)}x{rng.Next(1, 4)}, dilation: {rng.Next(1, 3)})\n"); break;
                case 3: sb.Append($"  pool({(rng.Next(2) == 0 ? "max" : "avg")}, {rng.Next(2, 4)})\n"); break;
                case 4: sb.Append($"  deconv({rng.Next(1, 9)}, kernel: {rng.Next(2, 5)}, stride: {rng.Next(1, 3)}, padding: {rng.Next(0, 2)})\n"); break;
                case 5: sb.Append("  batchnorm\n  relu\n"); break;
                case 6: sb.Append($"  upsample({rng.Next(1, 3)})\n"); break;
                case 7: sb.Append("  residual {\n    relu\n    batchnorm\n  }\n"); break;
                default: sb.Append($"  dropout({rng.Next(1, 5) / 10.0:0.0})\n  leakyrelu(0.2)\n"); break;
            }
        }
        if (rng.Next(2) == 0) sb.Append("  globalpool(avg)\n");
        else sb.Append("  flatten\n");
        sb.Append($"  dense({rng.Next(2, 12)}) -> gelu\n  dense({rng.Next(2, 12)})\n  softmax\n}}\n");
        return sb.ToString();
    }
}
