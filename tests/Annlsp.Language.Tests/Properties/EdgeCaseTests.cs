using System.Diagnostics;
using System.Text;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Xunit.Abstractions;

namespace Annlsp.Language.Tests.Properties;

/// <summary>
/// Bad and extreme input: each yields diagnostics with locations (or is accepted) — never an exception,
/// never a hang, never a stack overflow. Every case also goes through <see cref="Invariants"/>.
/// </summary>
public sealed class EdgeCaseTests(ITestOutputHelper output)
{
    private const int Deep = 10_000;

    private static DocumentAnalysis Analyze(string text) => Invariants.AnalyzeChecked(text);

    /// <summary>Analyses on a thread with a small (256 KiB) stack, so unbounded recursion fails here and not only in production.</summary>
    private static DocumentAnalysis AnalyzeOnSmallStack(string text)
    {
        DocumentAnalysis? result = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = Invariants.AnalyzeChecked(text); }
            catch (Exception e) { error = e; }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null) throw error;
        return result!;
    }

    private static Diagnostic Single(DocumentAnalysis a, string code)
    {
        var found = a.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(found.Count > 0, $"expected {code}, got: {string.Join("; ", a.Diagnostics.Select(d => d.ToString()))}");
        return found[0];
    }

    /// <summary>Some diagnostic with the code starts inside the first occurrence of <paramref name="at"/>.</summary>
    private static void AssertErrorAt(DocumentAnalysis a, string code, string text, string at)
    {
        Single(a, code);
        int index = text.IndexOf(at, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{at}' is not in the text");
        Assert.True(a.Diagnostics.Any(d => d.Code == code && d.Span.Start >= index && d.Span.Start <= index + at.Length),
            $"no {code} at '{at}' ({index}..{index + at.Length}): {string.Join("; ", a.Diagnostics.Where(d => d.Code == code))}");
    }

    // ── Deep nesting ─────────────────────────────────────────────────────────────

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ten_thousand_nested_residuals(bool closed)
    {
        var sb = new StringBuilder("network Deep {\n    input(1x28x28)\n");
        for (int i = 0; i < Deep; i++) sb.Append("residual {\n");
        sb.Append("relu\n");
        if (closed) for (int i = 0; i < Deep; i++) sb.Append("}\n");
        sb.Append("}\nnetwork After { input(4) dense(2 }\n");
        string text = sb.ToString();
        var a = AnalyzeOnSmallStack(text);
        var d = Single(a, "ANN1007");
        Assert.Contains("Nesting too deep", d.Message);
        if (closed)
        {
            // Recovery: the declaration after the deep one is still checked.
            Assert.True(a.Networks.ContainsKey("After"), "the network after the deep one was not checked");
            AssertErrorAt(a, "ANN1005", text, "dense(2 }");
        }
    }

    [Fact]
    public void Ten_thousand_nested_parentheses()
    {
        string prefix = "network P {\n    input(1x28x28)\n    conv(";
        string text = prefix + new string('(', Deep) + "3" + new string(')', Deep) + ")\n}\n";
        var a = AnalyzeOnSmallStack(text);
        Assert.Contains(a.Diagnostics, d => d.IsError && d.Span.Start >= prefix.Length - 1);
    }

    private static string NestedCalls()
    {
        var sb = new StringBuilder("network C { input(1x28x28) conv(");
        for (int i = 0; i < Deep; i++) sb.Append("f(");
        sb.Append("1").Append(')', Deep).Append(", kernel: 3) }\ntrain C { optimizer: ");
        for (int i = 0; i < Deep; i++) sb.Append("adam(lr: ");
        sb.Append("1e-3").Append(')', Deep).Append(" }\n");
        return sb.ToString();
    }

    /// <summary>Also BUG-L5 (fixed in 7dcc2c8): the cut-off call's missing '(' kept the token positions in order.</summary>
    [Fact]
    public void Ten_thousand_nested_calls_in_arguments_and_properties()
    {
        var a = AnalyzeOnSmallStack(NestedCalls());
        Assert.Contains(a.Diagnostics, d => d.Code == "ANN1007");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("(")]
    [InlineData(")")]
    [InlineData("->")]
    [InlineData("network ")]
    [InlineData("residual ")]
    [InlineData("block B(")]
    public void Ten_thousand_repetitions_of_one_token(string token)
    {
        string text = "network R { input(3) " + string.Concat(Enumerable.Repeat(token, Deep)) + " }";
        var a = AnalyzeOnSmallStack(text);
        Assert.True(a.Diagnostics.Count > 0 || token == "->");
    }

    [Fact]
    public void A_thousand_blocks_each_using_the_next()
    {
        var sb = new StringBuilder("network N { input(8) B0 }\n");
        for (int i = 0; i < 1000; i++) sb.Append($"block B{i} {{ relu B{i + 1} }}\n");
        sb.Append("block B1000 { relu }\n");
        var a = AnalyzeOnSmallStack(sb.ToString());
        Assert.Contains("nested more than", Single(a, "ANN2008").Message);
    }

    [Fact]
    public void Block_recursion_is_a_diagnostic()
    {
        const string text = "block A { relu B }\nblock B { A }\nnetwork N { input(8) A }\n";
        var a = Analyze(text);
        Assert.Contains("uses itself", Single(a, "ANN2008").Message);
    }

    [Fact]
    public void Ten_thousand_layers_and_ten_thousand_residuals_in_a_row()
    {
        var sb = new StringBuilder("network Long {\n    input(16)\n");
        for (int i = 0; i < Deep; i++) sb.Append(i % 2 == 0 ? "    dense(16) -> relu\n" : "    residual { dense(16) -> relu }\n");
        sb.Append("}\n");
        var clock = Stopwatch.StartNew();
        var a = Analyze(sb.ToString());
        output.WriteLine($"{Deep:N0} layers in {clock.ElapsedMilliseconds} ms");
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
        Assert.Equal(Deep, a.Networks["Long"].Layers.Count(l => l.Kind is "dense" or "residual"));
    }

    // ── Empty, trivia-only and huge files ────────────────────────────────────────

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n\n\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("\r")]
    [InlineData("\uFEFF")]
    [InlineData("# only a comment")]
    [InlineData("# one\n# two\r\n#\n   # indented\t\n#")]
    [InlineData("#\u0000\uD800 comments may hold anything 😀")]
    public void Empty_and_comment_only_files_are_accepted(string text)
    {
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
        Assert.Empty(a.Networks);
    }

    private static string TenMegabytes(Func<int, string> piece)
    {
        var sb = new StringBuilder(10_500_000);
        for (int i = 0; sb.Length < 10_000_000; i++) sb.Append(piece(i));
        return sb.ToString();
    }

    [Fact]
    public void Ten_megabytes_of_valid_networks()
    {
        string text = TenMegabytes(i => $$"""
            # network {{i}}
            block Block{{i}}(f) {
                conv(f, kernel: 3, padding: same) -> batchnorm -> relu
            }
            network Net{{i}} {
                input(1x28x28)
                Block{{i}}(8) -> pool(max, 2)
                residual { conv(8, kernel: 3, padding: 1) -> relu }
                flatten -> dense(10)
            }
            train Net{{i}} { data: fashion_mnist, epochs: 1 }

            """);
        var clock = Stopwatch.StartNew();
        var a = Analyze(text);
        output.WriteLine($"{text.Length / 1e6:0.0} M chars, {a.Networks.Count:N0} networks in {clock.ElapsedMilliseconds:N0} ms");
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
        Assert.True(a.Networks.Count > 10_000);
    }

    [Theory]
    [InlineData("many networks")]
    [InlineData("one big network")]
    public void Cancellation_is_honoured_promptly_on_a_ten_megabyte_file(string shape)
    {
        string text = shape == "many networks"
            ? TenMegabytes(i => $"network Net{i} {{\n    input(1x28x28)\n    conv(8, kernel: 3, padding: same) -> relu\n    flatten -> dense(10)\n}}\ntrain Net{i} {{ data: fashion_mnist }}\n")
            : "network Big {\n    input(16)\n" + TenMegabytes(_ => "    dense(16) -> relu\n") + "}\n";
        // Promptness as a share of the whole analysis of the same text, timed in the same test: a loaded machine slows
        // both alike, so this asserts that the analysis stops early, not how fast the machine is.
        var whole = Stopwatch.StartNew();
        DocumentAnalysis.Analyze(text);
        whole.Stop();
        // The fastest of three tries: a collection of the previous tries' trees, or a parallel test, can stall one try
        // for half a second, but an analysis that ignored the token would run to its end in all three.
        var fastest = TimeSpan.MaxValue;
        for (int attempt = 0; attempt < 3 && fastest >= whole.Elapsed / 4; attempt++)
        {
            GC.Collect();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
            var clock = Stopwatch.StartNew();
            Assert.Throws<OperationCanceledException>(() => DocumentAnalysis.Analyze(text, cancel.Token));
            clock.Stop();
            output.WriteLine($"{shape}: cancelled after {clock.ElapsedMilliseconds} ms; the whole analysis takes {whole.ElapsedMilliseconds} ms");
            if (clock.Elapsed < fastest) fastest = clock.Elapsed;
        }
        Assert.True(fastest < whole.Elapsed / 4, $"cancelled after {fastest.TotalMilliseconds:0} ms at best of an analysis that takes {whole.ElapsedMilliseconds} ms in all");
    }

    [Fact]
    public void A_cancelled_analysis_throws_only_OperationCanceledException()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        foreach (var text in Fuzz.Corpus.Take(20))
        {
            try { DocumentAnalysis.Analyze(text, cancel.Token); }
            catch (OperationCanceledException) { }
        }
    }

    [Theory]
    [InlineData("soup")]
    [InlineData("digits")]
    [InlineData("shape")]
    [InlineData("string")]
    [InlineData("comment")]
    [InlineData("identifier")]
    [InlineData("unknown")]
    public void Ten_megabytes_of_one_kind_of_garbage(string kind)
    {
        var rng = new Random(1);
        string text = kind switch
        {
            "soup" => TenMegabytes(_ => Fuzz.TokenSoup(rng, 1000)),
            "digits" => "network N { input(" + new string('7', 10_000_000) + ") }",
            "shape" => "network N { input(" + TenMegabytes(i => i == 0 ? "1" : "x1") + ") }",
            "string" => "train N { out: \"" + new string('s', 10_000_000),
            "comment" => "#" + new string('c', 10_000_000),
            "identifier" => "network " + new string('n', 10_000_000) + " { input(1) }",
            _ => new string('§', 10_000_000),
        };
        var clock = Stopwatch.StartNew();
        var a = Analyze(text);
        output.WriteLine($"{kind}: {text.Length / 1e6:0.0} M chars, {a.Diagnostics.Count} diagnostics in {clock.ElapsedMilliseconds:N0} ms");
        Assert.True(a.Diagnostics.Count <= DiagnosticBag.Limit);
        if (kind is not ("comment" or "identifier")) Assert.Contains(a.Diagnostics, d => d.IsError);
    }

    // ── Numbers, shapes, strings, characters ─────────────────────────────────────

    [Theory]
    [InlineData("network N { input(4) dense(99999999999999999999999) }", "ANN1003", "99999999999999999999999")]
    [InlineData("network N { input(4) dense(9223372036854775808) }", "ANN1003", "9223372036854775808")]
    [InlineData("network N { input(4) dense(9223372036854775807) }", "ANN4001", "9223372036854775807")]
    [InlineData("network N { input(4) dense(2147483648) }", "ANN4001", "2147483648")]
    [InlineData("network N { input(4) dense(4294967296 * 4294967296) }", "ANN3013", "4294967296 *")]
    [InlineData("network N { input(99999999999x1x1) }", "ANN1004", "99999999999x1x1")]
    [InlineData("network N { input(1x99999999999999999999999x1) }", "ANN1004", "1x9999")]
    [InlineData("network N { input(4) dropout(1e999) }", "ANN1003", "1e999")]
    [InlineData("network N { input(4) dropout(-1e999) }", "ANN1003", "-1e999")]
    [InlineData("train N { optimizer: adam(lr: 1e-99999) }", "ANN4001", "1e-99999")]
    public void Huge_numbers_are_diagnostics(string text, string code, string at)
    {
        var a = Analyze(text);
        AssertErrorAt(a, code, text, at);
    }

    [Theory]
    [InlineData("network N { input(0x28x28) }", "0x28x28")]
    [InlineData("network N { input(1x28x0) }", "1x28x0")]
    [InlineData("network N { input(0) }", "0")]
    [InlineData("network N { input(4) reshape(0x2x2) }", "0x2x2")]
    [InlineData("network N { input(1x28x28) conv(0, kernel: 3) }", "0, kernel")]
    [InlineData("network N { input(1x28x28) conv(4, kernel: 0) }", "0)")]
    [InlineData("network N { input(1x28x28) pool(max, 2, stride: 0) }", "0)")]
    public void Zero_dimensions_are_diagnostics(string text, string at)
    {
        var a = Analyze(text);
        var error = a.Diagnostics.FirstOrDefault(d => d.IsError);
        Assert.True(error is not null, "no error for " + text);
        int index = text.IndexOf(at, text.IndexOf('(') + 1, StringComparison.Ordinal);
        Assert.True(error.Span.Start <= index + at.Length && error.Span.End >= index, $"{error} is not at '{at}' ({index})");
    }

    [Theory]
    [InlineData("train N { data: mnist(\"data/mnist) }\nnetwork N { input(1x28x28) }", "\"data/mnist")]
    [InlineData("train N { out: \"runs", "\"runs")]
    [InlineData("train N { out: \"runs\\", "\"runs")]
    [InlineData("train N { out: \"a\\\"b }", "\"a")]
    [InlineData("train N { out: \"\r\n}", "\"")]
    public void Unterminated_strings_are_diagnostics(string text, string at) =>
        AssertErrorAt(Analyze(text), "ANN1002", text, at);

    [Theory]
    [InlineData("§")]
    [InlineData("😀")]
    [InlineData("\u0000")]
    [InlineData("\uD800")]
    [InlineData("\uDC00x")]
    [InlineData("@@@@")]
    [InlineData("λ")]
    [InlineData("→")]
    public void Unknown_characters_are_diagnostics(string bad)
    {
        string text = $"network N {{ input(1x28x28) {bad} relu }}";
        var a = Analyze(text);
        var d = Single(a, "ANN1001");
        Assert.Equal(text.IndexOf(bad, StringComparison.Ordinal), d.Span.Start);
        Assert.True(a.Networks.ContainsKey("N"));
    }

    // ── Regressions of the bugs in .notes-language-bugs.md (all fixed in 7dcc2c8) ──────

    [Fact]
    public void Zero_in_a_padding_pair_is_accepted()
    {
        const string text = """
            network N {
                input(1x28x28)
                conv(8, kernel: 3x1, padding: 1x0)
                deconv(8, kernel: 4, stride: 2, output_padding: 0x1)
                pool(max, 2, padding: 1x0)
            }
            """;
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
        // 8×28×28 → deconv → 8×58×59 → pool(2, padding 1x0) → 8×30×29
        Assert.Equal(new long[] { 8, 30, 29 }, a.Networks["N"].Output.Dims);
    }

    [Fact]
    public void Name_after_a_comma_on_a_continuation_line_is_an_argument()
    {
        const string text = """
            block B(f, k) {
                conv(f,
                     k)
            }
            network N {
                input(1x28x28)
                upsample(2,
                         bilinear)
                B(4,
                  3)
            }
            """;
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void Name_after_an_open_parenthesis_or_a_label_on_a_continuation_line_is_an_argument()
    {
        const string text = """
            network N {
                input(1x28x28)
                pool(
                    max,
                    2
                )
                conv(8,
                     kernel: 3, padding:
                     same)
            }
            """;
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
    }

    [Theory]
    [InlineData("network A {\n    input(4) {\n")]
    [InlineData("network A {\n    input(4)\n    { relu\n")]
    [InlineData("block A {\n    relu {{ ( { \n")]
    [InlineData("deep residuals")]
    [InlineData("deep calls")]
    public void A_stray_brace_does_not_hide_the_next_declaration(string broken)
    {
        broken = broken switch
        {
            "deep residuals" => "network A {\n    input(4)\n" + string.Concat(Enumerable.Repeat("residual { ", Parser.MaxDepth + 1)),
            "deep calls" => "network A {\n    input(4)\n    dense(" + string.Concat(Enumerable.Repeat("f(", Parser.MaxDepth + 1)),
            _ => broken,
        };
        string text = broken + "\nnetwork B {\n    input(1x28x28)\n    conv(8)\n}\n";
        var a = Analyze(text);
        AssertErrorAt(a, "ANN2006", text, "conv(8)");
    }

    [Fact]
    public void Named_arguments_without_spaces_are_named_arguments()
    {
        const string text = """
            network N {
                input(1x28x28)
                conv(8, kernel:3, padding:1)
                dropout(p:0.5)
                pool(max, size:2)
                flatten
                dense(units:4, bias:false)
            }
            train N { data: shapes, epochs:3, device:cuda:1, optimizer: adam(lr:1e-3) }
            """;
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
        Assert.Equal(new long[] { 8, 14, 14 }, a.Networks["N"].Layers[2].Output.Dims);
        Assert.Equal("cuda:1", a.Trains.Single().Device);
    }

    [Fact]
    public void Block_parameter_labels_at_use_sites_are_references()
    {
        const string text = """
            block B(filters, k) {
                conv(filters, kernel: k, padding: same)
            }
            network N {
                input(1x28x28)
                B(filters: 8, k: 3)
                B(16, k: 5)
            }
            """;
        var a = Analyze(text);
        int label = text.IndexOf("filters: 8", StringComparison.Ordinal);
        var reference = a.ReferenceAt(label + 2);
        Assert.True(reference is { Symbol.Kind: Semantics.SymbolKind.Parameter, Symbol.Name: "filters" }, $"no parameter reference at the label: {reference}");
        // declaration, use in the body, label at the use site
        Assert.Equal(3, a.ReferencesTo(reference!.Symbol).Select(r => r.Span).Distinct().Count());
        var k = a.References.First(r => r.Symbol.Name == "k").Symbol;
        Assert.Equal(4, a.ReferencesTo(k).Select(r => r.Span).Distinct().Count());
    }

    [Fact]
    public void Exponential_block_expansion_finishes_with_a_diagnostic()
    {
        var sb = new StringBuilder("block B0 { relu }\n");
        for (int i = 1; i <= 30; i++) sb.Append($"block B{i} {{ B{i - 1} B{i - 1} }}\n");
        sb.Append("network N { input(10) B30 }\n");
        // 2^30 layers if nothing stopped it: the checker stops at its budget and says so (a hang fails the run's timeout).
        var a = Analyze(sb.ToString());
        Assert.Contains(a.Diagnostics, d => d.IsError && d.Message.Contains("expands to more than", StringComparison.Ordinal));
        Assert.True(a.Networks["N"].Layers.Count <= Annlsp.Language.Semantics.Checker.MaxExpandedLayers, $"{a.Networks["N"].Layers.Count} layers expanded");
    }

    [Fact]
    public void Parameter_counts_past_64_bits_are_diagnostics_not_internal_errors()
    {
        const string text = """
            network A { input(2147483647) dense(2147483647) -> relu -> dense(2147483647) -> relu -> dense(2147483647) }
            network C { input(65535x65535x65535) conv(2147483647, kernel: 65535) }
            network Later { input(4) conv(2, kernel: 3) }
            """;
        var a = Analyze(text);
        Assert.DoesNotContain(a.Diagnostics, d => d.Code == "ANN9999");
        Assert.Contains(a.Diagnostics, d => d.Code == "ANN3002"); // the later network is still checked
        Assert.All(a.Networks.Values, n => Assert.True(n.Parameters >= 0 && n.Layers.All(l => l.Parameters >= 0 && l.MultiplyAdds >= 0), $"{n.Name}: {n.Parameters}"));
        Assert.Contains(a.Diagnostics, d => d.Span.Start > text.IndexOf("network C", StringComparison.Ordinal) && d.Span.Start < text.IndexOf("network Later", StringComparison.Ordinal) && d.Severity <= DiagnosticSeverity.Warning);
    }
}
