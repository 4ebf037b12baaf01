using Annlsp.Cli.Commands;

namespace Annlsp.Cli.Tests;

/// <summary>`annlsp format FILE… [--check]`.</summary>
public partial class CliTests
{
    private const string Messy = "network   Net{\ninput( 1x28x28 )\n  flatten->dense( 10 )   \n}\ntrain Net {data:fashion_mnist}";
    private const string MessyFormatted = "network Net {\n    input(1x28x28)\n    flatten -> dense(10)\n}\ntrain Net { data: fashion_mnist }\n";
    private const string Canonical = "network Ok {\n    input(4)\n    dense(2)\n}\n";

    [Fact]
    public void Format_check_lists_the_files_that_would_change_and_writes_nothing()
    {
        var dir = TempDir("format-check");
        File.WriteAllText(Path.Combine(dir, "messy.ann"), Messy);
        File.WriteAllText(Path.Combine(dir, "ok.ann"), Canonical);
        var (exit, stdout, stderr) = Annlsp("format", "--check", Path.Combine(dir, "messy.ann"), Path.Combine(dir, "ok.ann"));
        Assert.Equal(1, exit);
        Assert.Equal(Path.Combine(dir, "messy.ann"), stdout.Trim());
        Assert.Equal("", stderr);
        Assert.Equal(Messy, File.ReadAllText(Path.Combine(dir, "messy.ann")));

        Assert.Equal(0, Annlsp("format", "--check", Path.Combine(dir, "ok.ann")).Exit);
    }

    [Fact]
    public void Format_rewrites_the_files_in_place_in_the_canonical_layout()
    {
        var dir = TempDir("format-write");
        string messy = Path.Combine(dir, "messy.ann"), ok = Path.Combine(dir, "ok.ann");
        File.WriteAllText(messy, Messy);
        File.WriteAllText(ok, Canonical);
        var okWritten = File.GetLastWriteTimeUtc(ok);
        var (exit, stdout, stderr) = Annlsp("format", messy, ok);
        Assert.Equal((0, "", ""), (exit, stdout, stderr));
        Assert.Equal(MessyFormatted, File.ReadAllText(messy));
        Assert.Equal(Canonical, File.ReadAllText(ok));
        Assert.Equal(okWritten, File.GetLastWriteTimeUtc(ok));            // a file already canonical is not written
        Assert.Equal(0, FormatCommand.Run([messy, ok], check: true, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Format_reports_a_syntax_error_with_its_location_and_leaves_that_file_untouched()
    {
        var dir = TempDir("format-broken");
        string broken = Path.Combine(dir, "broken.ann"), messy = Path.Combine(dir, "messy.ann");
        const string brokenText = "network   Net {\n   input(1x28x28\n  flatten -> dense(10)\n}\n";
        File.WriteAllText(broken, brokenText);
        File.WriteAllText(messy, Messy);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(1, FormatCommand.Run([broken, messy], check: false, stdout, stderr));
        Assert.Equal(
            $"{broken}(2,17,2,17): error ANN1005: Expected ')' to close the argument list but found 'flatten'\n" +
            $"annlsp format: {broken} has syntax errors; left as it is\n",
            stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("", stdout.ToString());
        Assert.Equal(brokenText, File.ReadAllText(broken));
        Assert.Equal(MessyFormatted, File.ReadAllText(messy));             // the other files are still formatted

        Assert.Equal(1, FormatCommand.Run([broken], check: true, stdout, TextWriter.Null));
        Assert.Equal("", stdout.ToString());                               // not listed as "would change": it cannot be formatted
    }

    [Fact]
    public void Format_exits_2_for_unreadable_files_and_usage_errors()
    {
        Assert.Equal(2, Annlsp("format", Path.Combine(Root, "no-such-file.ann")).Exit);
        Assert.NotEqual(0, Annlsp("format").Exit);
    }

    [Fact]
    public void The_examples_are_in_the_canonical_layout()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "examples"), "*.ann");
        var stdout = new StringWriter();
        Assert.True(FormatCommand.Run(files, check: true, stdout, TextWriter.Null) == 0, "not in the canonical layout (run annlsp format):\n" + stdout);
    }
}
