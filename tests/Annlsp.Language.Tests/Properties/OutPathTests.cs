using Annlsp.Language.Semantics;
using CsCheck;

namespace Annlsp.Language.Tests.Properties;

/// <summary>`out:` may not leave the workspace (ANN4002): whatever the checker lets through stays inside it.</summary>
public sealed class OutPathTests
{
    private static readonly string[] Segments = ["..", ".", "", "runs", "a", "b c", "~", "~x", "..x", "x..", "...", "C:", ":", "%2e%2e", "\u2024\u2024", "\\", "/", "//", "\\..", "..\\..", "\t", " .."];

    [Fact]
    public void A_run_folder_the_checker_accepts_stays_inside_the_workspace()
    {
        string workspace = Path.Combine(Path.GetTempPath(), "annlsp-ws", "project");
        Gen.Select(Gen.Int[0, Segments.Length - 1].Array[1, 8], Gen.Bool)
            .Select(t => string.Join(t.Item2 ? "/" : "\\", t.Item1.Select(i => Segments[i])))
            .Sample(path =>
            {
                if (Checker.LeavesWorkspace(path)) return;
                string full = Path.GetFullPath(Path.Combine(workspace, path));
                Assert.True(full == workspace || full.StartsWith(workspace + Path.DirectorySeparatorChar, StringComparison.Ordinal),
                    $"out: \"{path}\" is accepted but resolves to {full}, outside {workspace}");
            }, iter: 20_000);
    }

    [Theory]
    [InlineData("runs/x", false)]
    [InlineData("runs/../x", false)]
    [InlineData("./runs", false)]
    [InlineData("..", true)]
    [InlineData("runs/../../x", true)]
    [InlineData("/tmp/x", true)]
    [InlineData("~/x", true)]
    [InlineData("", true)]
    public void Known_paths(string path, bool leaves) => Assert.Equal(leaves, Checker.LeavesWorkspace(path));
}
