using System.Diagnostics;
using CsCheck;
using Xunit.Abstractions;

namespace Annlsp.Language.Tests.Properties;

/// <summary>
/// CsCheck properties over valid, edited and random inputs. The fuzzed properties share
/// <see cref="Fuzz.TotalCount"/> inputs (10,000 by default; ANNLSP_FUZZ_COUNT for the long run in
/// scripts/fuzz-long.sh); ANNLSP_FUZZ_SEED replays the seed CsCheck prints on a failure.
/// </summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    private void Run<T>(Gen<T> gen, Action<T> property, long iterations, Func<T, string>? print = null, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        var clock = Stopwatch.StartNew();
        gen.Sample(property, iter: iterations, seed: Fuzz.Seed, print: print);
        output.WriteLine($"{name}: {iterations:N0} inputs in {clock.ElapsedMilliseconds:N0} ms");
    }

    [Fact]
    public void Generated_valid_programs_print_back_exactly_and_have_no_syntax_or_name_errors()
    {
        Run(Gen.Int, seed =>
        {
            string text = Fuzz.ValidProgram(seed);
            var analysis = Invariants.AnalyzeChecked(text);
            var wrong = analysis.Diagnostics.Where(d => d.IsError && (d.Code.StartsWith("ANN1") || d.Code.StartsWith("ANN2"))).ToList();
            // The message is built only on a failure: Show saves the input to a file.
            if (wrong.Count > 0)
                Assert.Fail(
                $"generated program (seed {seed}) has syntax/name errors:\n{string.Join("\n", wrong.Select(d => $"  {analysis.Text.GetPosition(d.Span.Start)} {d.Code}: {d.Message}"))}\n{Invariants.Show(text)}");
        }, Math.Max(200, Fuzz.Share(0.05)), seed => $"ValidProgram({seed})");
    }

    [Fact]
    public void Random_edits_of_the_examples_never_throw_or_hang_and_print_back_exactly()
    {
        Run(Gen.Int, seed => Invariants.AnalyzeChecked(Fuzz.EditedProgram(new Random(seed))), Fuzz.Share(0.4), seed => $"EditedProgram(new Random({seed}))");
    }

    [Fact]
    public void Token_soup_never_throws_or_hangs_and_prints_back_exactly()
    {
        Run(Gen.Int, seed => Invariants.AnalyzeChecked(Fuzz.TokenSoup(new Random(seed))), Fuzz.Share(0.3), seed => $"TokenSoup(new Random({seed}))");
    }

    [Fact]
    public void Random_unicode_never_throws_or_hangs_and_prints_back_exactly()
    {
        // Half from CsCheck's own char generator (it shrinks), half with lone surrogates and controls.
        Run(Gen.Char[char.MinValue, char.MaxValue].Array[0, 300].Select(cs => new string(cs)),
            text => Invariants.AnalyzeChecked(text), Fuzz.Share(0.075));
        Run(Gen.Int, seed => Invariants.AnalyzeChecked(Fuzz.RandomText(new Random(seed))), Fuzz.Share(0.075), seed => $"RandomText(new Random({seed}))");
    }

    [Fact]
    public void Random_bytes_never_throw_or_hang_and_print_back_exactly()
    {
        Run(Gen.Select(Gen.Byte.Array[0, 400], Gen.Bool),
            t => Invariants.AnalyzeChecked(Fuzz.RandomBytes(t.Item1, t.Item2)), Fuzz.Share(0.15),
            t => $"{(t.Item2 ? "UTF-8" : "Latin-1")} bytes [{Convert.ToHexString(t.Item1)}]");
    }

    /// <summary>
    /// "Missing `}` or `)`, stray tokens and half-typed layers must not hide errors further down the file":
    /// garbage (token soup or a broken example) before a mistake example leaves the example's expected
    /// diagnostics in place, inside the example.
    /// </summary>
    [Fact]
    public void Garbage_before_a_declaration_does_not_hide_its_diagnostics()
    {
        var mistakes = Fuzz.Mistakes;
        Assert.True(mistakes.Count >= 40, $"only {mistakes.Count} mistake examples with '# expect:' lines");
        Run(Gen.Int, seed =>
        {
            var rng = new Random(seed);
            var (name, mistake, codes) = mistakes[rng.Next(mistakes.Count)];
            string prefix = (rng.Next(2) == 0 ? Fuzz.TokenSoup(rng, 60) : Fuzz.EditedProgram(rng, onlyGenerated: true)) + "\n";
            string text = prefix + mistake;
            var analysis = Invariants.AnalyzeChecked(text);
            // An edit can leave a name in the garbage that the example declares too (GenQ → Gen×Q): then
            // the example's diagnostics legitimately change (duplicates, a gan finds another network).
            var before = analysis.Root.Declarations.Where(d => d.Span.End <= prefix.Length).Select(d => d.Name.Text).ToHashSet();
            if (analysis.Root.Declarations.Any(d => d.Span.Start >= prefix.Length && before.Contains(d.Name.Text))) return;
            foreach (var code in codes)
            {
                // Hints and "unused" diagnostics may legitimately change when the garbage mentions a name.
                if (code is "ANN5005" or "ANN5007") continue;
                if (!analysis.Diagnostics.Any(d => d.Code == code && d.Span.Start >= prefix.Length))
                    Assert.Fail($"{name}'s {code} is gone after {prefix.Length} characters of garbage; diagnostics inside it: " +
                    string.Join("; ", analysis.Diagnostics.Where(d => d.Span.Start >= prefix.Length).Select(d => d.Code + " " + d.Message)) + "\n" + Invariants.Show(text));
            }
        }, Fuzz.Share(0.05), seed => $"seed {seed}"); // on top of the 100 % the never-throw properties share
    }

    /// <summary>
    /// Rename replaces every reference of a symbol: doing that to a network, block or block parameter of a
    /// generated program must leave every diagnostic code and every shape and count unchanged — a reference
    /// the checker forgot to record shows up as an unknown name.
    /// </summary>
    [Fact]
    public void Renaming_a_symbol_everywhere_it_is_referenced_changes_nothing_else()
    {
        Run(Gen.Int, seed =>
        {
            string text = Fuzz.ValidProgram(seed);
            var before = DocumentAnalysis.Analyze(text);
            var symbols = before.References.Select(r => r.Symbol).Distinct().ToList();
            if (symbols.Count == 0) return;
            var symbol = symbols[(seed & 0x7fffffff) % symbols.Count];
            string newName = $"Renamed{(seed & 0xffff)}_{symbol.Kind}";
            var spans = before.ReferencesTo(symbol).Select(r => r.Span).Distinct().OrderByDescending(sp => sp.Start).ToList();
            var sb = new System.Text.StringBuilder(text);
            foreach (var sp in spans) sb.Remove(sp.Start, sp.Length).Insert(sp.Start, newName);
            string renamed = sb.ToString();
            var after = Invariants.AnalyzeChecked(renamed);
            string Summary(DocumentAnalysis a) =>
                string.Join("\n", a.Diagnostics.Select(d => d.Code).Order()) + "\n--\n" +
                string.Join("\n", a.Root.Declarations.OfType<Syntax.NetworkDeclarationSyntax>()
                    .Select(n => a.Networks.GetValueOrDefault(n.Name.Text))
                    .Select(m => m is null ? "-" : $"{m.Input} → {string.Join(", ", m.Layers.Select(l => l.Output))} | {m.Parameters} {m.MultiplyAdds}"));
            if (Summary(before) != Summary(after))
                Assert.Fail($"renaming {symbol.Kind} '{symbol.Name}' to '{newName}' at {spans.Count} places changed the analysis:\n" +
                $"before:\n{Summary(before)}\nafter:\n{Summary(after)}\n" + Invariants.Show(renamed));
        }, Math.Max(300, Fuzz.Share(0.03)), seed => $"ValidProgram({seed})");
    }

    /// <summary>Inlay hints and hover read FactsFor: in a generated network every layer, block use and residual has facts with a known output.</summary>
    [Fact]
    public void Every_layer_of_a_valid_network_has_facts_for_hints_and_hover()
    {
        Run(Gen.Int, seed =>
        {
            var net = new Differential.NetworkGenerator(seed).Generate((seed & 0x7fffffff) % 100_000);
            var a = DocumentAnalysis.Analyze(net.Text);
            Assert.DoesNotContain(a.Diagnostics, d => d.IsError);
            var items = a.Root.DescendantNodes().OfType<Syntax.StackItemSyntax>()
                .Where(i => !(i is Syntax.LayerSyntax { Name.Text: "input" })).ToList();
            foreach (var item in items)
            {
                var facts = a.FactsFor(item);
                Assert.True(facts.Count > 0 && facts.All(f => f.Output.IsKnown),
                    $"no facts with a known output for '{item}' at {a.Text.GetPosition(item.Span.Start)}: {string.Join("; ", facts.Select(f => $"{f.Input} → {f.Output}"))}\n{net.Text}");
            }
        }, Math.Max(300, Fuzz.Share(0.03)), seed => $"Generate, seed {seed}");
    }

    [Fact]
    public void Analysis_is_deterministic()
    {
        Run(Gen.Int, seed =>
        {
            string text = Fuzz.EditedProgram(new Random(seed));
            var a = DocumentAnalysis.Analyze(text);
            var b = DocumentAnalysis.Analyze(text);
            Assert.Equal(a.Diagnostics.Select(d => d.ToString()), b.Diagnostics.Select(d => d.ToString()));
            Assert.Equal(a.Networks.Keys.Order(), b.Networks.Keys.Order());
        }, 300, seed => $"EditedProgram(new Random({seed}))");
    }
}
