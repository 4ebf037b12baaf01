using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

/// <summary>
/// What one `train` declaration depends on — itself, the network or gan it names, a gan's two networks, and the
/// blocks they use, transitively (found through the name references inside each; a name declared twice brings in
/// both declarations) — and which of the file's errors stop it. Only errors inside these declarations do; the other
/// errors are reported but not fatal. The one place this rule lives: `annlsp train` and the server's ▶ Train lens
/// both ask <see cref="DocumentAnalysis.ClosureOf"/>.
/// </summary>
public sealed class TrainingClosure
{
    private TrainingClosure(TrainDeclarationSyntax train, IReadOnlyList<DeclarationSyntax> declarations, IReadOnlyList<Diagnostic> errors, IReadOnlyList<Diagnostic> otherErrors)
    {
        Train = train;
        Declarations = declarations;
        Errors = errors;
        OtherErrors = otherErrors;
    }

    public TrainDeclarationSyntax Train { get; }
    /// <summary>The train declaration first, then what it uses, in the order found.</summary>
    public IReadOnlyList<DeclarationSyntax> Declarations { get; }
    /// <summary>
    /// The errors that stop this training: those inside its declarations, or every error of the file when the analysis
    /// is incomplete (the checker failed, or the diagnostics were capped and an error in the closure may be unreported).
    /// </summary>
    public IReadOnlyList<Diagnostic> Errors { get; }
    /// <summary>The file's other errors: reported as warnings by the trainer, not fatal.</summary>
    public IReadOnlyList<Diagnostic> OtherErrors { get; }
    public bool CanTrain => Errors.Count == 0;

    internal static TrainingClosure Compute(DocumentAnalysis analysis, TrainDeclarationSyntax train, IReadOnlyList<SymbolReference> referencesByStart)
    {
        var byName = analysis.Root.Declarations
            .Where(d => d is not TrainDeclarationSyntax && !d.Name.IsMissing)
            .ToLookup(d => d.Name.Text, StringComparer.Ordinal);
        var declarations = new List<DeclarationSyntax> { train };
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < declarations.Count; i++)
        {
            var span = declarations[i].Span;
            for (int r = FirstAtOrAfter(referencesByStart, span.Start); r < referencesByStart.Count && referencesByStart[r].Span.Start <= span.End; r++)
            {
                var reference = referencesByStart[r];
                if (reference.IsDeclaration || reference.Symbol.Kind == SymbolKind.Parameter) continue;
                if (names.Add(reference.Symbol.Name)) declarations.AddRange(byName[reference.Symbol.Name]);
            }
        }

        var errors = new List<Diagnostic>();
        var others = new List<Diagnostic>();
        foreach (var d in analysis.Diagnostics)
        {
            if (!d.IsError) continue;
            bool inside = !analysis.IsComplete || declarations.Any(decl => Within(decl.Span, d.Span));
            (inside ? errors : others).Add(d);
        }
        return new TrainingClosure(train, declarations, errors, others);
    }

    /// <summary>A diagnostic belongs to a declaration when it starts inside it (its end included: a missing '}' is reported just after the last token).</summary>
    private static bool Within(TextSpan declaration, TextSpan diagnostic) =>
        diagnostic.Start >= declaration.Start && diagnostic.Start <= declaration.End;

    private static int FirstAtOrAfter(IReadOnlyList<SymbolReference> sorted, int position)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid].Span.Start < position) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
