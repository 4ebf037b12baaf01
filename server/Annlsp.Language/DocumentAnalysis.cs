using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language;

/// <summary>
/// Everything known about one `.ann` document: the full-fidelity tree, diagnostics, the checked networks,
/// gans and trainings, per-layer facts and symbol references. Immutable; never throws on any input
/// (cancellation aside).
/// </summary>
public sealed class DocumentAnalysis
{
    private DocumentAnalysis(SourceText text, CompilationUnitSyntax root, IReadOnlyList<Diagnostic> diagnostics, Checker? checker, bool checkerFailed)
    {
        IsComplete = !checkerFailed && diagnostics.Count < DiagnosticBag.Limit;
        Text = text;
        Root = root;
        Diagnostics = diagnostics;
        Networks = checker?.Networks ?? new Dictionary<string, NetworkModel>();
        Gans = checker?.Gans ?? new Dictionary<string, GanModel>();
        Diffusions = checker?.Diffusions ?? new Dictionary<string, DiffusionModel>();
        Trains = checker?.Trains ?? [];
        References = checker?.References ?? [];
    }

    public SourceText Text { get; }
    public CompilationUnitSyntax Root { get; }
    /// <summary>Sorted by position.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
    public IReadOnlyDictionary<string, NetworkModel> Networks { get; }
    public IReadOnlyDictionary<string, GanModel> Gans { get; }
    public IReadOnlyDictionary<string, DiffusionModel> Diffusions { get; }
    public IReadOnlyList<TrainConfig> Trains { get; }
    /// <summary>Every occurrence of a declared name, declarations included.</summary>
    public IReadOnlyList<SymbolReference> References { get; }
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
    /// <summary>False when the checker stopped on an internal error or the diagnostics were capped: then some errors may be unreported.</summary>
    public bool IsComplete { get; }

    public static DocumentAnalysis Analyze(string text, CancellationToken cancellation = default) =>
        Analyze(new SourceText(text), cancellation);

    /// <summary>As <see cref="Analyze(string, CancellationToken)"/>, with the line map the caller already has (the server's document).</summary>
    public static DocumentAnalysis Analyze(SourceText source, CancellationToken cancellation = default)
    {
        string text = source.Text;
        var diagnostics = new DiagnosticBag();
        var root = Parser.Parse(text, diagnostics, cancellation);
        Checker? checker = null;
        bool checkerFailed = false;
        try
        {
            checker = new Checker(root, diagnostics, cancellation, text);
            checker.Run();
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A checker bug must not take the editor down: report it where the user can see it.
            checkerFailed = true;
            diagnostics.Add(DiagnosticBuilder.InternalError(e));
        }
        var sorted = diagnostics.Items.OrderBy(d => d.Span.Start).ThenBy(d => d.Code, StringComparer.Ordinal).ToArray();
        return new DocumentAnalysis(source, root, sorted, checker, checkerFailed);
    }

    /// <summary>What the checker learned about a layer, block use or residual: one entry per distinct use (a block body layer may be used with several shapes).</summary>
    public IReadOnlyList<LayerFacts> FactsFor(StackItemSyntax item) =>
        Checker.FactsOf(item);

    /// <summary>The symbol whose name is at the offset (declaration or reference), if any.</summary>
    public SymbolReference? ReferenceAt(int offset) =>
        References.FirstOrDefault(r => r.Span.Touches(offset) && r.Span.Length > 0);

    public IEnumerable<SymbolReference> ReferencesTo(Symbol symbol) =>
        References.Where(r => r.Symbol == symbol);

    /// <summary>The network whose declaration contains the offset.</summary>
    public NetworkModel? NetworkAt(int offset) =>
        // A duplicate declaration has no model of its own: the name's model belongs to the first one.
        Root.Declarations.OfType<NetworkDeclarationSyntax>()
            .Where(d => d.Span.Touches(offset))
            .Select(d => Networks.GetValueOrDefault(d.Name.Text) is { } model && model.Syntax == d ? model : null)
            .FirstOrDefault(model => model is not null);

    private SymbolReference[]? _referencesByStart;

    /// <summary>What a `train` declaration uses and which errors stop it (<see cref="TrainingClosure"/>).</summary>
    public TrainingClosure ClosureOf(TrainDeclarationSyntax train) =>
        TrainingClosure.Compute(this, train, _referencesByStart ??= References.OrderBy(r => r.Span.Start).ToArray());
}
