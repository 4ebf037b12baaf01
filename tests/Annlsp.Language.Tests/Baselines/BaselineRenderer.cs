using System.Text;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Tests.Baselines;

/// <summary>
/// Renders what the checker says about a document as readable text: each diagnostic with the source
/// line and a caret, its fixes and related locations; then the shape after every layer, and each train.
/// </summary>
public static class BaselineRenderer
{
    public static string Render(string text)
    {
        var analysis = DocumentAnalysis.Analyze(text);
        var src = analysis.Text;
        var sb = new StringBuilder();
        sb.AppendLine("== diagnostics ==");
        if (analysis.Diagnostics.Count == 0) sb.AppendLine("(none)");
        foreach (var d in analysis.Diagnostics)
        {
            sb.AppendLine($"{Range(src, d.Span)} {d.Severity.ToString().ToLowerInvariant()} {d.Code}: {d.Message}");
            var start = src.GetPosition(d.Span.Start);
            string line = src.Text[src.LineStart(start.Line)..src.LineEnd(start.Line)];
            sb.AppendLine($"    | {line}");
            int width = Math.Max(1, Math.Min(d.Span.Length, line.Length - start.Character));
            sb.AppendLine($"    | {new string(' ', start.Character)}{new string('^', width)}");
            foreach (var r in d.Related) sb.AppendLine($"    related {Range(src, r.Span)}: {r.Message}");
            foreach (var f in d.Fixes)
                sb.AppendLine($"    fix \"{f.Title}\": {string.Join("; ", f.Edits.Select(e => $"{Range(src, e.Span)} -> \"{Escape(e.NewText)}\""))}");
            foreach (var t in d.Tags) sb.AppendLine($"    tag {t}");
        }
        sb.AppendLine();
        sb.AppendLine("== networks ==");
        foreach (var n in analysis.Networks.Values.OrderBy(n => n.Syntax!.Span.Start))
        {
            sb.AppendLine($"{n.Name}: {n.Input} -> {n.Output}, {SummaryTable.Number(n.Parameters)} params, {SummaryTable.Number(n.MultiplyAdds)} mult-adds{(n.IsValid ? "" : " (invalid)")}");
            foreach (var row in SummaryTable.Rows(n))
            {
                var l = row.Layer;
                sb.AppendLine($"  {new string(' ', 2 * row.Depth)}{src.GetPosition(l.Span.Start).Line + 1,4}: {SummaryTable.Short(l),-22} {l.Input} -> {l.Output}  params {SummaryTable.Number(l.Parameters)}  macs {SummaryTable.Number(l.MultiplyAdds)}");
            }
        }
        foreach (var g in analysis.Gans.Values)
            sb.AppendLine($"gan {g.Name}: generator {g.Generator?.Name ?? "?"}, discriminator {g.Discriminator?.Name ?? "?"}" +
                          // conditional (pix2pix) facts only for conditional gans, so older baselines stay as they were
                          (g.Conditional ? $", conditional, l1 {g.L1Weight:G}" : "") +
                          (g.DiscriminatorPatch is { } rf ? $", one logit sees {rf.Size}x{rf.Size} every {rf.Stride} px" : ""));
        sb.AppendLine();
        sb.AppendLine("== trains ==");
        foreach (var t in analysis.Trains)
        {
            var o = t.Optimizer;
            sb.AppendLine($"{t.DisplayName}: {t.Kind.ToString().ToLowerInvariant()} on {t.Data.Display}{(t.Data.Directory is null ? "" : $"(\"{t.Data.Directory}\")")} {(t.Data.Input is { } input ? $"(pairs {input} -> " : "")}{t.Data.Shape}{(t.Data.IsPaired ? ")" : "")} ({t.Data.Classes} classes), " +
                          $"epochs {t.Epochs}, batch {t.Batch}, {o.Name}(lr {o.LearningRate:G}{(o.Name == "adam" ? $", beta1 {o.Beta1:G}, beta2 {o.Beta2:G}" : $", momentum {o.Momentum:G}, nesterov {o.Nesterov}")}), " +
                          $"loss {t.Loss}, device {t.Device}, seed {t.Seed?.ToString() ?? "-"}, preview {t.Preview.H}x{t.Preview.W}, " +
                          $"validate {(t.ValidateOnTest ? "test" : t.ValidateFraction!.Value.ToString("G"))}, checkpoint {t.CheckpointEvery}, out {t.Out ?? "-"}" +
                          // the recipe properties only when given, so baselines written before them stay as they were
                          (t.Schedule == "constant" ? "" : $", schedule {t.Schedule}") +
                          (t.LabelSmoothing == 0 ? "" : $", label_smoothing {t.LabelSmoothing:G}") +
                          (t.RandomFlip ? ", random_flip" : "") +
                          (t.RandomShift == 0 ? "" : $", random_shift {t.RandomShift}") +
                          (t.ScoreSamples == 1000 ? "" : $", score_samples {t.ScoreSamples}"));
        }
        return sb.ToString();
    }

    private static string Range(SourceText src, TextSpan span)
    {
        var (s, e) = src.GetRange(span);
        return $"({s.Line + 1},{s.Character + 1})-({e.Line + 1},{e.Character + 1})";
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\"", "\\\"");
}
