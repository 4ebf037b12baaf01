using Annlsp.Language.Diagnostics;
using Xunit;

namespace Annlsp.Language.Tests.Graph;

/// <summary>
/// ANN3020's advice on a U-Net whose input does not halve evenly: for every input size and depth, with downsampling
/// that rounds down (a 4×4 stride-2 conv, as pix2pix) or up (a 3×3 stride-2 conv with padding 1), the pad it offers
/// makes the network check, and the size it names is the smallest that works (an odd size, which `pad` cannot make even,
/// gets the size without a fix).
/// </summary>
public sealed class HalvingAdviceTests
{
    private static string UNet(int size, int depth, bool roundsUp, string pad = "")
    {
        string down = roundsUp ? "conv(c, kernel: 3, stride: 2, padding: 1)" : "conv(c, kernel: 4, stride: 2, padding: 1)";
        var lines = new List<string>
        {
            $"block Down(c) {{ {down} -> relu }}",
            "block Up(c, skip) { deconv(c, kernel: 4, stride: 2, padding: 1) -> relu -> concat(skip) }",
            "network UNet {",
            $"    input(1x{size}x{size}){pad}",
            "    conv(8, kernel: 3, padding: 1) as e0",
        };
        for (int level = 1; level <= depth; level++) lines.Add($"    Down(8) as e{level}");
        lines.Add("    Down(8)");
        for (int level = depth; level >= 0; level--) lines.Add($"    Up(8, e{level})");
        lines.Add("    conv(1, kernel: 1)");
        lines.Add("}");
        return string.Join('\n', lines) + "\n";
    }

    public static TheoryData<int, int, bool> Cases()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int depth in new[] { 1, 2, 3 })
        foreach (bool roundsUp in new[] { false, true })
        for (int size = 17; size <= 40; size++)
            data.Add(size, depth, roundsUp);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_size_it_names_makes_the_unet_check_and_no_smaller_size_would(int size, int depth, bool roundsUp)
    {
        var source = UNet(size, depth, roundsUp);
        var analysis = DocumentAnalysis.Analyze(source);
        var mismatch = analysis.Diagnostics.FirstOrDefault(d => d.Code == "ANN3020");
        if (mismatch is null)
        {
            Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
            return;
        }
        if (size % 2 == 1)
        {
            // pad adds rows in pairs: an odd size gets the size that works, and no fix
            Assert.Empty(mismatch.Fixes);
            int named = int.Parse(mismatch.Message.Split("an input of ")[1].Split(' ')[0]);
            Assert.DoesNotContain(DocumentAnalysis.Analyze(UNet(named, depth, roundsUp)).Diagnostics, d => d.IsError);
            for (int smaller = size + 1; smaller < named; smaller++)
                Assert.Contains(DocumentAnalysis.Analyze(UNet(smaller, depth, roundsUp)).Diagnostics, d => d.IsError);
            return;
        }
        var fix = Assert.Single(mismatch.Fixes);
        var edit = Assert.Single(fix.Edits);
        var fixedSource = source[..edit.Span.Start] + edit.NewText + source[edit.Span.End..];
        var fixedAnalysis = DocumentAnalysis.Analyze(fixedSource);
        Assert.DoesNotContain(fixedAnalysis.Diagnostics, d => d.IsError);

        int pad = int.Parse(edit.NewText.Split('(', ')')[1]);
        Assert.Contains($"pad the input to {size + 2 * pad} ", mismatch.Message);
        for (int smaller = 1; smaller < pad; smaller++)
            Assert.Contains(DocumentAnalysis.Analyze(UNet(size, depth, roundsUp, $" -> pad({smaller})")).Diagnostics, d => d.IsError);
    }
}
