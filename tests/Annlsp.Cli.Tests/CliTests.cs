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
    private static (int Exit, string Out, string Err) Annlsp(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "annlsp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "annlsp did not exit");
        return (p.ExitCode, stdout.Result, stderr.Result);
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
    public void Summary_of_an_unknown_network_is_a_usage_error()
    {
        var err = new StringWriter();
        Assert.Equal(2, SummaryCommand.Run(Example("lenet.ann"), "Nope", "text", TextWriter.Null, err));
        Assert.Contains("LeNet5", err.ToString());
    }
}
