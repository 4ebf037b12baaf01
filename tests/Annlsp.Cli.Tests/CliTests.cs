using System.Diagnostics;
using Annlsp.Cli.Commands;
using Newtonsoft.Json.Linq;

namespace Annlsp.Cli.Tests;

public class CliTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "annlsp.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>Runs the real `annlsp` program (the dll beside this test) and captures its output.</summary>
    private static (int Exit, string Out, string Err) Annlsp(params string[] args) => AnnlspWith(null, 60, args);

    private static (int Exit, string Out, string Err) AnnlspWith(IDictionary<string, string>? env, int timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "annlsp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(timeoutSeconds * 1000), "annlsp did not exit");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Evaluate_scores_a_gan_runs_checkpoint_as_text_and_json()
    {
        var dir = Directory.CreateTempSubdirectory("annlsp-evaluate-").FullName;
        var file = Path.Combine(dir, "tiny.ann");
        File.WriteAllText(file, """
            network G {
                input(8)
                dense(8 * 7 * 7) -> relu
                reshape(8x7x7)
                deconv(1, kernel: 4, stride: 4) -> tanh
            }
            network D { input(1x28x28) conv(4, kernel: 4, stride: 4) -> leakyrelu(0.2) flatten dense(1) }
            gan Tiny { generator: G, discriminator: D }
            train Tiny { data: shapes, epochs: 1, batch: 32, seed: 2, score_samples: 0 }
            """);
        var env = new Dictionary<string, string> { ["ANNLSP_CACHE_DIR"] = Path.Combine(dir, "cache") };
        var train = AnnlspWith(env, 300, "train", file, "--limit", "64");
        Assert.True(train.Exit == 0, train.Out + train.Err);
        var run = Directory.GetDirectories(Path.Combine(dir, "runs", "Tiny")).Single();

        var json = AnnlspWith(env, 600, "evaluate", run, "--samples", "50", "--format", "json");
        Assert.True(json.Exit == 0, json.Out + json.Err);
        Assert.Contains("training the reference classifier", json.Err); // first use of this cache
        var o = JObject.Parse(json.Out);
        Assert.Equal("Tiny", o.Value<string>("target"));
        Assert.Equal("shapes", o.Value<string>("data"));
        Assert.Equal(1, o.Value<int>("epoch"));
        Assert.Equal(50, o.Value<int>("samples"));
        Assert.True(o.Value<double>("fd") > o.Value<double>("fd_real"), json.Out); // one epoch on 64 images draws no shapes
        Assert.InRange(o.Value<double>("confident"), 0, 1);
        Assert.Equal(4, o.Value<int>("classes"));

        var text = AnnlspWith(env, 120, "evaluate", run, "--samples", "50");
        Assert.True(text.Exit == 0, text.Out + text.Err);
        Assert.DoesNotContain("training the reference classifier", text.Err); // cached now
        Assert.Matches(@"^Tiny, epoch 1: FD [0-9.]+ · \d+% confident · [0-4]/4 classes", text.Out);
        Assert.Contains("50 samples; real vs real FD", text.Out);
    }

    [Fact]
    public void Evaluate_of_a_missing_or_broken_run_is_a_clear_error()
    {
        var (exit, stdout, stderr) = Annlsp("evaluate", "/nonexistent/run");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal("annlsp evaluate: /nonexistent/run: no such run folder", stderr.Trim());
        var empty = Directory.CreateTempSubdirectory("annlsp-evaluate-empty-").FullName;
        (exit, _, stderr) = Annlsp("evaluate", empty);
        Assert.Equal(1, exit);
        Assert.Equal($"annlsp evaluate: {empty} is not a run folder: it has no run.json", stderr.Trim());
    }

    [Fact]
    public void Check_exits_0_on_the_examples_and_prints_nothing()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "examples"), "*.ann");
        var (exit, stdout, stderr) = Annlsp(["check", .. files]);
        Assert.Equal("", stdout.Trim());
        Assert.Equal("", stderr.Trim());
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Check_prints_msbuild_format_and_exits_1_on_errors()
    {
        var file = Example("mistakes/ANN3001-dense-after-image.ann");
        var (exit, stdout, _) = Annlsp("check", file);
        Assert.Equal(1, exit);
        // path(line,col,endLine,endCol): error CODE: message — what VS Code's $msCompile matcher reads.
        Assert.Matches(@"^.+ANN3001-dense-after-image\.ann\(9,5,9,10\): error ANN3001: dense expects a vector but receives 16×5×5; insert flatten before it\s*$", stdout);
    }

    [Fact]
    public void Check_json_lists_one_based_positions()
    {
        var writer = new StringWriter();
        int exit = CheckCommand.Run([Example("mistakes/ANN3001-dense-after-image.ann")], "json", writer, TextWriter.Null);
        Assert.Equal(1, exit);
        var items = JArray.Parse(writer.ToString());
        var d = Assert.Single(items);
        Assert.Equal("ANN3001", (string?)d["code"]);
        Assert.Equal("error", (string?)d["severity"]);
        Assert.Equal(9, (int)d["line"]!);
        Assert.Equal(5, (int)d["column"]!);
        Assert.Equal(9, (int)d["endLine"]!);
        Assert.Equal(10, (int)d["endColumn"]!);
    }

    [Fact]
    public void Check_exits_2_for_unreadable_files_and_usage_errors()
    {
        Assert.Equal(2, Annlsp("check", Path.Combine(Root, "no-such-file.ann")).Exit);
        Assert.NotEqual(0, Annlsp("check").Exit);
        Assert.NotEqual(0, Annlsp("check", "--format", "xml", Example("lenet.ann")).Exit);
    }

    [Fact]
    public void Summary_json_gives_lenet_shapes_and_totals()
    {
        var writer = new StringWriter();
        Assert.Equal(0, SummaryCommand.Run(Example("lenet.ann"), "LeNet5", "json", writer, TextWriter.Null));
        var net = JObject.Parse(writer.ToString())["networks"]![0]!;
        Assert.Equal("LeNet5", (string?)net["name"]);
        Assert.Equal(new[] { 1, 28, 28 }, net["input"]!.Select(x => (int)x));
        Assert.Equal(61_706, (long)net["params"]!);
        Assert.Equal(416_520, (long)net["macs"]!);
        var layers = net["layers"]!.ToArray();
        var flatten = layers.Single(l => (string?)l["kind"] == "flatten");
        Assert.Equal(new[] { 400 }, flatten["output"]!.Select(x => (int)x));
        var pools = layers.Where(l => (string?)l["kind"] == "pool").ToArray();
        Assert.Equal(new[] { 16, 5, 5 }, pools[1]["output"]!.Select(x => (int)x));
        Assert.Equal(9, (int)pools[1]["line"]!);
    }

    [Fact]
    public void Summary_text_is_a_table_with_totals()
    {
        var (exit, stdout, _) = Annlsp("summary", Example("lenet.ann"));
        Assert.Equal(0, exit);
        Assert.Contains("Total params: 61,706", stdout);
        Assert.Matches(@"dense\(120\)\s+120\s+48,120\s+48,000", stdout);
    }

    [Fact]
    public void Summary_of_an_unknown_network_is_a_usage_error()
    {
        var err = new StringWriter();
        Assert.Equal(2, SummaryCommand.Run(Example("lenet.ann"), "Nope", "text", TextWriter.Null, err));
        Assert.Contains("LeNet5", err.ToString());
    }
}
