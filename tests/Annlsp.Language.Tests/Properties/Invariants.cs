using System.Text;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Xunit.Sdk;

namespace Annlsp.Language.Tests.Properties;

/// <summary>
/// What must hold for every analysed text, valid or garbage: the analysis finishes (a generous timeout is
/// the hang detector) without throwing, the tree prints back the exact text and its tokens tile it, and
/// every diagnostic (its related locations and fix edits too) lies inside the document.
/// </summary>
internal static class Invariants
{
    /// <summary>Far above any real analysis (milliseconds): only a hang or a blow-up reaches it.</summary>
    public static TimeSpan HangTimeout { get; } = TimeSpan.FromSeconds(
        int.TryParse(System.Environment.GetEnvironmentVariable("ANNLSP_FUZZ_TIMEOUT_S"), out int s) ? s : 60); // 10 MB takes ~5 s idle, far more on a loaded 2-core machine

    private static readonly HashSet<string> KnownCodes = DiagnosticCatalog.All.Select(d => d.Code).ToHashSet();

    public static DocumentAnalysis AnalyzeChecked(string text)
    {
        using var cancel = new CancellationTokenSource();
        var task = Task.Factory.StartNew(() => DocumentAnalysis.Analyze(text, cancel.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool finished;
        try { finished = task.Wait(HangTimeout); }
        catch (AggregateException e)
        {
            var inner = e.InnerException!;
            throw new XunitException($"Analyze threw {inner.GetType().Name}: {inner.Message}\n{inner.StackTrace}\n{Show(text)}");
        }
        if (!finished)
        {
            cancel.Cancel();
            throw new XunitException($"Analyze did not finish within {HangTimeout.TotalSeconds:0} s (a hang?)\n{Show(text)}");
        }
        var analysis = task.Result;
        Check(text, analysis);
        return analysis;
    }

    public static void Check(string text, DocumentAnalysis analysis)
    {
        // 1. Full fidelity: the tree prints back the exact text.
        string printed = analysis.Root.ToFullString();
        if (printed != text)
        {
            int at = 0;
            while (at < Math.Min(printed.Length, text.Length) && printed[at] == text[at]) at++;
            Fail($"the tree prints back different text (first difference at offset {at}, printed length {printed.Length}, text length {text.Length})", text);
        }
        if (analysis.Root.FullSpan.Start != 0 || analysis.Root.FullSpan.End != text.Length)
            Fail($"the root's full span is {analysis.Root.FullSpan}, not [0..{text.Length})", text);

        // 2. Tokens and trivia tile the text in order, each at the position it claims.
        int expected = 0;
        foreach (var token in analysis.Root.Tokens())
        {
            if (token.FullStart != expected)
                Fail($"token {token.Kind} '{Short(token.Text)}' starts (with trivia) at {token.FullStart}, expected {expected}", text);
            foreach (var trivia in token.LeadingTrivia)
            {
                if (trivia.Position != expected || string.CompareOrdinal(text, trivia.Position, trivia.Text, 0, trivia.Text.Length) != 0)
                    Fail($"trivia {trivia.Kind} at {trivia.Position} does not match the text at {expected}", text);
                expected += trivia.Text.Length;
            }
            if (token.Position != expected || string.CompareOrdinal(text, token.Position, token.Text, 0, token.Text.Length) != 0)
                Fail($"token {token.Kind} '{Short(token.Text)}' at {token.Position} does not match the text at {expected}", text);
            if (token.IsMissing && token.Text.Length != 0)
                Fail($"missing token {token.Kind} has text '{Short(token.Text)}'", text);
            expected += token.Text.Length;
        }
        if (expected != text.Length) Fail($"the tokens cover {expected} of {text.Length} characters", text);

        // 3. Diagnostics: inside the document, sorted, catalogued, capped, no internal errors.
        int previousStart = 0;
        foreach (var d in analysis.Diagnostics)
        {
            if (d.Code == "ANN9999") Fail($"internal error in the checker: {d.Message}", text);
            if (!KnownCodes.Contains(d.Code)) Fail($"diagnostic code {d.Code} is not in the catalogue", text);
            if (string.IsNullOrWhiteSpace(d.Message)) Fail($"{d.Code} has an empty message", text);
            InDocument(d.Span, $"{d.Code} '{d.Message}'", text);
            foreach (var r in d.Related) InDocument(r.Span, $"related location of {d.Code}", text);
            foreach (var f in d.Fixes)
            {
                foreach (var e in f.Edits) InDocument(e.Span, $"fix '{f.Title}' of {d.Code}", text);
                // LSP requires the edits of one change not to overlap.
                var sorted = f.Edits.OrderBy(e => e.Span.Start).ToList();
                for (int i = 1; i < sorted.Count; i++)
                    if (sorted[i].Span.Start < sorted[i - 1].Span.End)
                        Fail($"fix '{f.Title}' of {d.Code} has overlapping edits {sorted[i - 1].Span} and {sorted[i].Span}", text);
            }
            if (d.Span.Start < previousStart) Fail("diagnostics are not sorted by position", text);
            previousStart = d.Span.Start;
            var (start, end) = analysis.Text.GetRange(d.Span);
            if (start.Line < 0 || end.Line >= analysis.Text.LineCount || end.Line < start.Line)
                Fail($"{d.Code} maps to lines {start}–{end}", text);
        }
        if (analysis.Diagnostics.Count > DiagnosticBag.Limit) Fail($"{analysis.Diagnostics.Count} diagnostics, above the cap {DiagnosticBag.Limit}", text);

        // 4. Checked networks point into the document and valid ones have every shape.
        foreach (var network in analysis.Networks.Values)
        {
            foreach (var layer in network.Layers)
            {
                InDocument(layer.Span, $"layer {layer.Kind} of {network.Name}", text);
                if (layer.UseSite is { } use) InDocument(use, $"use site of a {layer.Kind} in {network.Name}", text);
            }
            if (network.IsValid && network.Layers.Any(l => !l.Output.IsKnown))
                Fail($"network {network.Name} is valid but has an unknown shape", text);
        }
        foreach (var r in analysis.References)
        {
            InDocument(r.Span, $"reference to {r.Symbol.Name}", text);
            // Rename replaces exactly these spans: each must hold the name itself.
            if (string.CompareOrdinal(text, r.Span.Start, r.Symbol.Name, 0, Math.Max(r.Span.Length, r.Symbol.Name.Length)) != 0 || r.Span.Length != r.Symbol.Name.Length)
                Fail($"reference to {r.Symbol.Kind} '{r.Symbol.Name}' at {r.Span} covers '{Short(text.Substring(r.Span.Start, Math.Min(r.Span.Length, text.Length - r.Span.Start)))}'", text);
        }

        // 5. What the editor asks on every hover, completion and keystroke never throws.
        EditorQueries(text, analysis);
    }

    private static void EditorQueries(string text, DocumentAnalysis analysis)
    {
        var offsets = new List<int> { 0, text.Length, text.Length / 2 };
        offsets.AddRange(analysis.Diagnostics.Take(5).Select(d => d.Span.Start));
        var rng = new Random(text.Length);
        for (int i = 0; i < 4; i++) offsets.Add(rng.Next(0, text.Length + 1));
        string where = "";
        try
        {
            foreach (int offset in offsets)
            {
                where = $"queries at offset {offset}";
                var token = analysis.Root.FindToken(offset);
                if (offset < text.Length && (token is null || token.FullSpan.Start > offset || token.FullSpan.End <= offset))
                    Fail($"FindToken({offset}) returned {token?.Kind} with full span {token?.FullSpan}", text);
                analysis.ReferenceAt(offset);
                analysis.NetworkAt(offset);
                var position = analysis.Text.GetPosition(offset);
                if (analysis.Text.GetOffset(position) != offset && !IsInsideLineBreak(text, offset))
                    Fail($"GetOffset(GetPosition({offset}) = {position}) = {analysis.Text.GetOffset(position)}", text);
            }
            where = "facts";
            foreach (var item in analysis.Root.DescendantNodes().OfType<Syntax.StackItemSyntax>())
                foreach (var f in analysis.FactsFor(item)) _ = f.Output.ToString() + f.Formula;
            foreach (var network in analysis.Networks.Values)
            {
                where = $"summary of {network.Name}";
                Semantics.SummaryTable.ToText(network);
                where = $"graph of {network.Name}";
                _ = network.Graph;
                Semantics.SummaryTable.ToMarkdown(network);
                foreach (var layer in network.Layers) Semantics.SummaryTable.Describe(layer);
            }
        }
        catch (XunitException) { throw; }
        catch (Exception e)
        {
            Fail($"{where} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}", text);
        }
    }

    /// <summary>Between the \r and the \n of a CRLF there is no line/column position to come back to.</summary>
    private static bool IsInsideLineBreak(string text, int offset) =>
        offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n';

    private static void InDocument(Text.TextSpan span, string what, string text)
    {
        if (span.Start < 0 || span.Length < 0 || span.End > text.Length)
            Fail($"{what}: span {span} lies outside the document [0..{text.Length})", text);
    }

    private static void Fail(string message, string text) => throw new XunitException(message + "\n" + Show(text));

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>The input, escaped and cut to a readable size; the whole of it is written to a file.</summary>
    public static string Show(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"annlsp-fuzz-failure-{System.Environment.ProcessId}-{(uint)text.GetHashCode():x8}.ann");
        try { File.WriteAllText(path, text, new UTF8Encoding(false)); } catch (IOException) { path = "(could not be saved)"; }
        var sb = new StringBuilder();
        foreach (char c in text.Length > 2000 ? text[..2000] : text)
        {
            if (c is '\n' or '\t' || (c >= ' ' && c < 0x7f)) sb.Append(c);
            else sb.Append($"\\u{(int)c:X4}");
        }
        return $"input ({text.Length} chars, saved to {path}):\n-----\n{sb}{(text.Length > 2000 ? "\n…(cut)" : "")}\n-----";
    }
}
