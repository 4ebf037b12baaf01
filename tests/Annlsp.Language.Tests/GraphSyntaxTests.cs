using Annlsp.Language.Diagnostics;
using Annlsp.Language.Editor;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Tests;

/// <summary>The graph syntax: `as NAME`, `concat(…)`/`add(…)` with chains, `residual(shortcut: …)`; typed nodes, exact printing, resilient half-typed forms.</summary>
public class GraphSyntaxTests
{
    private static (CompilationUnitSyntax Root, IReadOnlyList<Diagnostic> Diagnostics) Parse(string text)
    {
        var bag = new DiagnosticBag();
        var root = Parser.Parse(text, bag);
        Assert.Equal(text, root.ToFullString());
        return (root, bag.Items);
    }

    private static IReadOnlyList<StackItemSyntax> Items(CompilationUnitSyntax root) =>
        ((NetworkDeclarationSyntax)root.Declarations[0]).Body.Layers;

    [Fact]
    public void As_names_the_item_right_before_it()
    {
        var (root, diagnostics) = Parse("network N {\n    input(1x8x8)\n    conv(4, kernel: 3) -> relu   as e1\n}\n");
        Assert.Empty(diagnostics);
        var items = Items(root);
        Assert.Null(items[1].TensorName);
        var relu = Assert.IsType<LayerSyntax>(items[2]);
        Assert.Equal("relu", relu.Name.Text);
        Assert.Equal("e1", relu.TensorName!.Name.Text);
        Assert.Equal("as", relu.TensorName.AsWord.Text);
    }

    [Fact]
    public void A_merge_takes_names_and_chains_that_start_at_a_name()
    {
        var (root, diagnostics) = Parse("network N {\n    input(1x8x8) as x\n    add(x -> conv(1, kernel: 1) -> batchnorm, x) as y\n}\n");
        Assert.Empty(diagnostics);
        var merge = Assert.IsType<MergeSyntax>(Items(root)[1]);
        Assert.Equal("add", merge.Name.Text);
        Assert.Equal(2, merge.Arguments.Count);
        Assert.Equal("x", merge.Arguments[0].Source.Text);
        Assert.Equal(["conv", "batchnorm"], merge.Arguments[0].Chain!.Layers.Cast<LayerSyntax>().Select(l => l.Name.Text));
        Assert.Null(merge.Arguments[1].Chain);
        Assert.Equal("y", merge.TensorName!.Name.Text);
    }

    [Fact]
    public void A_residual_takes_a_shortcut_chain()
    {
        var (root, diagnostics) = Parse("network N {\n    input(1x8x8)\n    residual(shortcut: conv(2, kernel: 1, stride: 2) -> batchnorm) { conv(2, kernel: 3, stride: 2, padding: 1) }\n}\n");
        Assert.Empty(diagnostics);
        var residual = Assert.IsType<ResidualSyntax>(Items(root)[1]);
        Assert.Equal("shortcut", residual.Shortcut!.Label.Text);
        Assert.Equal(2, residual.Shortcut.Chain!.Layers.Count);
        Assert.Single(residual.Body.Layers);
    }

    /// <summary>Every half-typed form gives one syntax diagnostic, and the layer on the next line is still a layer.</summary>
    [Theory]
    [InlineData("conv(8) as")]
    [InlineData("concat(")]
    [InlineData("concat")]
    [InlineData("add(e1 ->")]
    [InlineData("add(e1 -> conv(")]
    [InlineData("add(e1, ")]
    [InlineData("concat(e1 e2)")]
    [InlineData("concat(conv(8))")]
    [InlineData("add(-> conv(8))")]
    [InlineData("residual(shortcut: ")]
    [InlineData("residual(shortcut: conv(8, kernel: 1) ->")]
    [InlineData("residual(")]
    [InlineData("residual(shortcut conv(8)) { relu }")]
    public void Half_typed_graph_forms_give_one_syntax_diagnostic_and_the_next_line_stays_a_layer(string line)
    {
        var (root, diagnostics) = Parse($"network N {{\n    input(8x8x8) as e1\n    {line}\n    relu\n}}\n");
        Assert.True(diagnostics.Count(d => d.Code.StartsWith("ANN1", StringComparison.Ordinal)) == 1,
            $"{line}: {string.Join("\n", diagnostics)}");
        var body = ((NetworkDeclarationSyntax)root.Declarations[0]).Body;
        Assert.False(body.CloseBrace.IsMissing);
        Assert.Contains(root.DescendantNodes().OfType<LayerSyntax>(), l => l.Name.Text == "relu");
    }

    [Fact]
    public void Every_graph_example_prints_back_exactly()
    {
        foreach (var file in new[] { "examples/resnet.ann", "examples/unet.ann", "tests/cases/graph-design.ann" }.Where(f => File.Exists(Repo.PathOf(f))))
            Parse(File.ReadAllText(Repo.PathOf(file)));
    }

    [Fact]
    public void The_graph_design_snippets_check_without_errors_or_warnings()
    {
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Repo.PathOf("tests", "cases", "graph-design.ann")));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning);
    }

    /// <summary>`annlsp format --check` passes on the graph examples: `residual(shortcut: …)` keeps its parenthesis on the keyword.</summary>
    [Theory]
    [InlineData("examples/resnet.ann")]
    [InlineData("examples/unet.ann")]
    [InlineData("tests/references/resnet18.ann")]
    [InlineData("tests/references/resnet50.ann")]
    [InlineData("tests/references/mobilenet_v2.ann")]
    [InlineData("tests/references/pix2pix_unet.ann")]
    public void The_graph_examples_are_in_the_canonical_layout(string file)
    {
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Repo.PathOf(file)));
        var result = CanonicalFormatter.FormatDocument(analysis, "    ");
        Assert.True(result.Outcome == FormatOutcome.Unchanged, $"{file} is not canonical:\n{result.Text}");
    }
}
