using System.Diagnostics;
using Annlsp.Cli.Commands;
using Newtonsoft.Json.Linq;

namespace Annlsp.Cli.Tests;

public partial class CliTests
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
    private static (int Exit, string Out, string Err) Annlsp(params string[] args) => Run(Root, null, null, false, 120, args);

    /// <summary>Runs `annlsp` in <paramref name="workingDirectory"/>, with extra environment variables.</summary>
    private static (int Exit, string Out, string Err) AnnlspIn(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        Run(workingDirectory, environment, null, false, 120, args);

    /// <summary>Runs `annlsp` with extra environment variables and a longer limit (first use of a reference classifier trains it).</summary>
    private static (int Exit, string Out, string Err) AnnlspWith(IDictionary<string, string>? env, int timeoutSeconds, params string[] args) =>
        Run(Root, env, null, false, timeoutSeconds, args);

    /// <summary>Runs `annlsp` in <paramref name="folder"/>, writing <paramref name="stdin"/> to its input (kept open until it exits when asked).</summary>
    private static (int Exit, string Out, string Err) AnnlspIn(string folder, string? stdin, bool keepStdinOpen, params string[] args) =>
        Run(folder, null, stdin ?? "", keepStdinOpen, 180, args);

    /// <summary>Stdin is redirected only when <paramref name="stdin"/> is given: a piped stdin arms the trainer's parent watch.</summary>
    private static (int Exit, string Out, string Err) Run(string workingDirectory, IDictionary<string, string>? environment, string? stdin,
        bool keepStdinOpen, int timeoutSeconds, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, WorkingDirectory = workingDirectory,
        };
        if (stdin is not null) psi.StandardInputEncoding = new System.Text.UTF8Encoding(false);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "annlsp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Flush();
            if (!keepStdinOpen) p.StandardInput.Close();
        }
        Assert.True(p.WaitForExit(timeoutSeconds * 1000), "annlsp did not exit");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private const string BrokenAndQuick = """
        network Broken {
            input(1x28x28)
            dense(4)
        }
        network Quick {
            input(1x28x28)
            flatten
            dense(4)
        }
        train Quick {
            data: shapes
            epochs: 1
            batch: 500
            seed: 1
        }
        train Broken {
            data: shapes
            epochs: 1
        }

        """;

    private static string RunDir(string folder, string target) => Assert.Single(Directory.GetDirectories(Path.Combine(folder, "runs", target)));

    [Fact]
    public void Train_a_valid_target_beside_a_broken_network_warns_and_trains()
    {
        var folder = Directory.CreateTempSubdirectory("annlsp-cli-train-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "mixed.ann"), BrokenAndQuick);
            var (exit, _, stderr) = AnnlspIn(folder, null, false, "train", "mixed.ann", "--target", "Quick", "--limit", "200");
            Assert.True(exit == 0, stderr);
            Assert.Matches(@"annlsp train: warning: mixed\.ann\(3,5\): error ANN3001: .* \(outside what Quick trains; not fatal\)", stderr);
            var run = JObject.Parse(File.ReadAllText(Path.Combine(RunDir(folder, "Quick"), "run.json")));
            Assert.Contains("ANN3001", Assert.Single(run["warnings"]!).Value<string>());
            Assert.Equal(BrokenAndQuick, File.ReadAllText(Path.Combine(RunDir(folder, "Quick"), "source.ann")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Train_refuses_a_target_that_uses_the_broken_network_and_lists_its_errors()
    {
        var folder = Directory.CreateTempSubdirectory("annlsp-cli-train-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "mixed.ann"), BrokenAndQuick);
            var (exit, _, stderr) = AnnlspIn(folder, null, false, "train", "mixed.ann", "--target", "Broken");
            Assert.Equal(1, exit);
            Assert.Contains("mixed.ann(3,5,3,10): error ANN3001: dense expects a vector", stderr);
            Assert.Contains("Broken has 1 error in what it trains; fix it before training", stderr);
            var (jsonExit, stdout, _) = AnnlspIn(folder, null, false, "train", "mixed.ann", "--target", "Broken", "--progress", "json");
            Assert.Equal(1, jsonExit);
            var failed = JObject.Parse(stdout.Trim());
            Assert.Equal("failed", failed.Value<string>("event"));
            Assert.Matches(@"^mixed\.ann\(3,5\): error ANN3001", Assert.Single(failed["errors"]!).Value<string>());
            Assert.False(Directory.Exists(Path.Combine(folder, "runs")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>`--stdin` trains the text it is given (what the language server sends: the text, a NUL, and the pipe left open), not the file.</summary>
    [Fact]
    public void Train_stdin_trains_the_given_text_up_to_a_nul_and_keeps_it_as_source_ann()
    {
        var folder = Directory.CreateTempSubdirectory("annlsp-cli-train-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "mixed.ann"), BrokenAndQuick);
            var edited = BrokenAndQuick.Replace("seed: 1", "seed: 5");
            var (exit, stdout, stderr) = AnnlspIn(folder, edited + "\0ignored after the NUL", keepStdinOpen: true,
                "train", "mixed.ann", "--stdin", "--target", "Quick", "--limit", "200", "--progress", "json");
            Assert.True(exit == 0, stderr + stdout);
            var runDir = RunDir(folder, "Quick");
            var run = JObject.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
            Assert.Equal(5, run.Value<int>("seed"));
            Assert.Equal(Path.Combine(folder, "mixed.ann"), run.Value<string>("source"));
            var source = File.ReadAllBytes(Path.Combine(runDir, "source.ann"));
            Assert.Equal(edited, System.Text.Encoding.UTF8.GetString(source));
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(source)).ToLowerInvariant(), run.Value<string>("sourceSha256"));
        }
        finally { Directory.Delete(folder, recursive: true); }
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
        var perClass = (JArray)o["perClass"]!;
        Assert.Equal(["circle", "square", "triangle", "cross"], perClass.Select(c => c.Value<string>("class")));
        Assert.Equal(50, perClass.Sum(c => c.Value<int>("drawn")));

        var text = AnnlspWith(env, 120, "evaluate", run, "--samples", "50");
        Assert.True(text.Exit == 0, text.Out + text.Err);
        Assert.DoesNotContain("training the reference classifier", text.Err); // cached now
        Assert.Matches(@"^Tiny, epoch 1: FD [0-9.]+ · \d+% confident · [0-4]/4 classes", text.Out);
        Assert.Contains("50 samples; real vs real FD", text.Out);
        Assert.Matches(@"per class, confident / drawn: circle \d+/\d+ · square \d+/\d+ · triangle \d+/\d+ · cross \d+/\d+", text.Out);
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
        (exit, _, stderr) = Annlsp("evaluate", empty, "--sampler", "fast");
        Assert.Equal(1, exit);
        Assert.Equal("annlsp evaluate: --sampler must be ddpm or ddim(N) with N ≥ 1, not 'fast'", stderr.Trim());
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
    public void Check_text_prints_hints_as_info()
    {
        var file = Example("mistakes/ANN5005-unused-network.ann");
        var (exit, stdout, _) = Annlsp("check", file);
        Assert.Equal(0, exit);  // a hint is not an error
        Assert.Matches(@"^.+ANN5005-unused-network\.ann\(2,9,2,15\): info ANN5005: Network 'Unused' is not used by any train or gan\s*$", stdout);
    }

    [Fact]
    public void Check_json_lists_related_locations()
    {
        var file = Example("mistakes/ANN3008-gan-shape-mismatch.ann");
        var writer = new StringWriter();
        Assert.Equal(1, CheckCommand.Run([file], "json", writer, TextWriter.Null));
        var mismatch = Assert.Single(JArray.Parse(writer.ToString()), d => (string?)d["code"] == "ANN3008");
        var related = (JArray)mismatch["related"]!;
        Assert.Equal(2, related.Count);
        Assert.Equal(file, (string?)related[0]["file"]);
        Assert.Equal((5, 5, "'Gen' outputs 1×32×32 here"), ((int)related[0]["line"]!, (int)related[0]["column"]!, (string?)related[0]["message"]));
        Assert.Equal((8, 5, "'Disc' expects 1×28×28 here"), ((int)related[1]["line"]!, (int)related[1]["column"]!, (string?)related[1]["message"]));
        // Every diagnostic has the list, empty when nothing else is involved.
        var unused = new StringWriter();
        CheckCommand.Run([Example("mistakes/ANN5005-unused-network.ann")], "json", unused, TextWriter.Null);
        Assert.Empty((JArray)Assert.Single(JArray.Parse(unused.ToString()))["related"]!);
    }

    [Fact]
    public void Check_reports_parameter_totals_that_overflow_64_bits()
    {
        var (exit, stdout, _) = Annlsp("check", Path.Combine(Root, "tests", "cases", "count-overflow.ann"));
        Assert.Equal(1, exit);
        Assert.Contains("(7,5,7,10): error ANN3013: This dense has more parameters than a 64-bit count holds", stdout);
        Assert.Contains("(11,9,11,14): error ANN3013: Network 'InAll' has more parameters in all than a 64-bit count holds", stdout);
        Assert.DoesNotContain("9,223,372,036,854,775,807 parameters", stdout);  // the saturated count is never printed as a count
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
    public void Summary_json_gives_each_layer_its_graph_inputs()
    {
        var writer = new StringWriter();
        SummaryCommand.Run(Example("unet.ann"), "UNet", "json", writer, TextWriter.Null);
        var layers = JObject.Parse(writer.ToString())["networks"]![0]!["layers"]!.ToArray();
        var first = layers[0];
        Assert.Equal("e1", (string?)first["name"]);
        Assert.Equal(new[] { 0 }, first["inputs"]!.Select(x => (int)x));
        Assert.Equal("layers.0", (string?)first["key"]);
        // The last concat reads the batchnorm before it (the end of the Up block) and e1, the first layer.
        var concat = layers.Last(l => (string?)l["kind"] == "concat");
        var inputs = concat["inputs"]!.Select(x => (int)x).ToArray();
        Assert.Equal(2, inputs.Length);
        Assert.Equal((int)first["id"]!, inputs[1]);
        Assert.Equal("batchnorm", (string?)layers.Single(l => (int)l["id"]! == inputs[0])["kind"]);
        Assert.Equal(new[] { 128, 16, 16 }, concat["output"]!.Select(x => (int)x));
        Assert.Equal("batchnorm line 15, e1 (line 9)", (string?)concat["from"]);
    }

    [Fact]
    public void Summary_text_shows_where_merges_and_shortcuts_take_their_inputs_from()
    {
        var (_, unet, _) = Annlsp("summary", Example("unet.ann"));
        Assert.Matches(@"concat\(e3\)\s+512×4×4\s+0\s+0\s+← batchnorm line 13, e3 \(line 11\)", unet);
        var (exit, resnet, _) = Annlsp("summary", Example("resnet.ann"));
        Assert.Equal(0, exit);
        Assert.Matches(@"residual\s+64×14×14\s+[\d,]+\s+[\d,]+\s+← body \+ shortcut", resnet);
        Assert.Matches(@"conv\(64, 1\)\s+64×14×14\s+2,048\s+401,408\s+← the residual's input", resnet);
        // A plain stack keeps its four columns.
        var (_, lenet, _) = Annlsp("summary", Example("lenet.ann"));
        Assert.DoesNotContain("←", lenet);
    }

    [Fact]
    public void Summary_of_an_unknown_network_is_a_usage_error()
    {
        var err = new StringWriter();
        Assert.Equal(2, SummaryCommand.Run(Example("lenet.ann"), "Nope", "text", TextWriter.Null, err));
        Assert.Contains("LeNet5", err.ToString());
    }
    // ---- training from a workspace that is not to be trusted with more than its .ann files ----

    private static string TinyTraining(string? @out = null) => $$"""
        network Tiny {
            input(1x28x28)
            flatten
            dense(4)
        }
        train Tiny {
            data: shapes
            epochs: 1
            batch: 64
            seed: 1
            {{(@out is null ? "" : $"out: \"{@out}\"")}}
        }
        """;

    private static string TempDir(string name) => Directory.CreateTempSubdirectory($"annlsp-cli-{name}-").FullName;

    private static List<JObject> Events(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(JObject.Parse).ToList();

    private static void WriteExecutable(string path, string script)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// A workspace with a `python3` (in its root, the current folder, and in a bin/ on PATH), an `importlib/`
    /// package and a `torch/` that looks like a CUDA PyTorch; a python3 outside it that points at that torch. The
    /// trainer runs none of the workspace's code, does not load its LibTorch, and says which one it used.
    /// </summary>
    [Fact]
    public void Training_runs_no_python_and_loads_no_LibTorch_from_the_workspace()
    {
        var ws = TempDir("ws");
        var tools = TempDir("tools");
        File.WriteAllText(Path.Combine(ws, "net.ann"), TinyTraining());
        const string Marker = "#!/bin/sh\ntouch \"$0.ran\"\n";
        WriteExecutable(Path.Combine(ws, "python3"), Marker);
        WriteExecutable(Path.Combine(ws, "bin", "python3"), Marker);
        Directory.CreateDirectory(Path.Combine(ws, "importlib"));
        File.WriteAllText(Path.Combine(ws, "importlib", "__init__.py"), $"open({Newtonsoft.Json.JsonConvert.ToString(Path.Combine(ws, "importlib.ran"))}, 'w')\n");
        Directory.CreateDirectory(Path.Combine(ws, "torch", "lib"));
        File.WriteAllText(Path.Combine(ws, "torch", "__init__.py"), $"open({Newtonsoft.Json.JsonConvert.ToString(Path.Combine(ws, "torch.ran"))}, 'w')\n");
        File.WriteAllText(Path.Combine(ws, "torch", "version.py"), "__version__ = '2.5.0'\ncuda = '12.1'\n");
        foreach (var lib in new[] { "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" })
            File.WriteAllText(Path.Combine(ws, "torch", "lib", lib), "not a library");
        WriteExecutable(Path.Combine(tools, "python3"), $"#!/bin/sh\necho '{ws}/torch'\n");

        var path = $"{Path.Combine(ws, "bin")}:{tools}:{Environment.GetEnvironmentVariable("PATH")}";
        var (exit, stdout, stderr) = AnnlspIn(ws, new Dictionary<string, string> { ["PATH"] = path, ["ANNLSP_LIBTORCH"] = "" },
            "train", Path.Combine(ws, "net.ann"), "--progress", "json", "--limit", "64");
        Assert.True(exit == 0, stdout + stderr);
        var started = Events(stdout).First(e => (string?)e["event"] == "started");
        Assert.Equal($"bundled (NuGet libtorch-cpu-linux-x64); not PyTorch 2.5.0 CUDA 12.1 at {ws}/torch/lib: it lies inside the workspace {ws} (name it with --libtorch or ANNLSP_LIBTORCH to use it)",
            (string?)started["libtorch"]);
        Assert.EndsWith("/libtorch", (string?)started["libtorchDir"]);
        Assert.Empty(Directory.GetFiles(ws, "*.ran", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("linkout")]
    [InlineData("linkout/sub/../deeper")]
    public void Train_refuses_an_out_folder_that_a_link_leads_out_of_the_files_folder(string @out)
    {
        var ws = TempDir("ws");
        var outside = TempDir("outside");
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(ws, "linkout"), outside);
        File.WriteAllText(Path.Combine(ws, "net.ann"), TinyTraining(@out));
        var (exit, stdout, stderr) = AnnlspIn(ws, null, "train", Path.Combine(ws, "net.ann"), "--progress", "json", "--limit", "64");
        Assert.Equal(1, exit);
        var failed = Assert.Single(Events(stdout));
        Assert.Equal("failed", (string?)failed["event"]);
        Assert.Contains($"the run folder \"{@out}\" resolves to {outside}", (string?)failed["reason"]);
        Assert.Empty(Directory.GetFiles(outside, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Resuming_a_finished_run_exits_0_and_says_it_has_already_finished()
    {
        var ws = TempDir("ws");
        File.WriteAllText(Path.Combine(ws, "net.ann"), TinyTraining());
        var (exit, stdout, stderr) = AnnlspIn(ws, null, "train", Path.Combine(ws, "net.ann"), "--progress", "json", "--limit", "64");
        Assert.True(exit == 0, stdout + stderr);
        var runDir = (string)Events(stdout).Last()["runDir"]!;
        (exit, stdout, stderr) = AnnlspIn(ws, null, "train", Path.Combine(ws, "net.ann"), "--resume", runDir);
        Assert.Equal(0, exit);
        Assert.Equal($"{runDir} has already finished: it trained 1 epochs and 1 are asked for; nothing to do (pass --epochs N with N > 1 to train further)", stdout.Trim());
    }
}
