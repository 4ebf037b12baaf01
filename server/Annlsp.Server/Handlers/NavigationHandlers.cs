using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Server.Protocol;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;
using static Annlsp.Server.Handlers.ReferenceExtensions;

namespace Annlsp.Server.Handlers;

internal static class ReferenceExtensions
{
    /// <summary>The core records a block body's references once per use of the block; editors want each place once.</summary>
    public static IEnumerable<SymbolReference> Unique(IEnumerable<SymbolReference> references) =>
        references.GroupBy(r => r.Span).Select(g => g.OrderByDescending(r => r.IsDeclaration).First());
}

/// <summary>textDocument/definition: networks, blocks, gans and block parameters.</summary>
public sealed class DefinitionHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.DefinitionProvider = true;

    [LspMethod("textDocument/definition")]
    public async Task<List<Location>> Definition(DefinitionParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var reference = analysis.ReferenceAt(LspTranslator.ToOffset(analysis.Text, request.Position));
        if (reference is null) return new();
        return [new Location(snapshot.Uri, LspTranslator.ToRange(analysis.Text, reference.Symbol.NameSpan))];
    }
}

/// <summary>textDocument/references.</summary>
public sealed class ReferencesHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.ReferencesProvider = true;

    [LspMethod("textDocument/references")]
    public async Task<List<Location>> References(ReferenceParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var reference = analysis.ReferenceAt(LspTranslator.ToOffset(analysis.Text, request.Position));
        if (reference is null) return new();
        return Unique(analysis.ReferencesTo(reference.Symbol))
            .Where(r => request.Context.IncludeDeclaration || !r.IsDeclaration)
            .OrderBy(r => r.Span.Start)
            .Select(r => new Location(snapshot.Uri, LspTranslator.ToRange(analysis.Text, r.Span)))
            .ToList();
    }
}

/// <summary>textDocument/documentHighlight: the declaration (write) and uses (read) of the symbol under the caret.</summary>
public sealed class DocumentHighlightHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.DocumentHighlightProvider = true;

    [LspMethod("textDocument/documentHighlight")]
    public async Task<List<DocumentHighlight>> Highlight(DocumentHighlightParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var reference = analysis.ReferenceAt(LspTranslator.ToOffset(analysis.Text, request.Position));
        if (reference is null) return new();
        return Unique(analysis.ReferencesTo(reference.Symbol)).OrderBy(r => r.Span.Start)
            .Select(r => new DocumentHighlight(LspTranslator.ToRange(analysis.Text, r.Span), r.IsDeclaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read))
            .ToList();
    }
}

/// <summary>textDocument/prepareRename and textDocument/rename for networks, blocks, gans and block parameters.</summary>
public sealed class RenameHandler(ServerSession session) : IHandler
{
    public void Contribute(ServerCapabilities capabilities) => capabilities.RenameProvider = new RenameOptions(PrepareProvider: true);

    [LspMethod("textDocument/prepareRename")]
    public async Task<PrepareRenameResult?> PrepareRename(PrepareRenameParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var reference = analysis.ReferenceAt(LspTranslator.ToOffset(analysis.Text, request.Position));
        if (reference is null) return null;
        return new PrepareRenameResult(LspTranslator.ToRange(analysis.Text, reference.Span), reference.Symbol.Name);
    }

    [LspMethod("textDocument/rename")]
    public async Task<WorkspaceEdit?> Rename(RenameParams request, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(request.TextDocument.Uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        var reference = analysis.ReferenceAt(LspTranslator.ToOffset(analysis.Text, request.Position));
        if (reference is null) return null;
        var error = Validate(analysis, reference.Symbol, request.NewName);
        if (error is not null) throw new LspException(LspErrorCodes.RequestFailed, error);
        var edits = Unique(analysis.ReferencesTo(reference.Symbol)).OrderBy(r => r.Span.Start)
            .Select(r => new TextEdit(LspTranslator.ToRange(analysis.Text, r.Span), request.NewName)).ToList();
        return new WorkspaceEdit { Changes = new() { [snapshot.Uri] = edits } };
    }

    public static string? Validate(DocumentAnalysis analysis, Symbol symbol, string newName)
    {
        if (newName.Length == 0 || !(char.IsAsciiLetter(newName[0]) || newName[0] == '_') || !newName.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return $"'{newName}' is not a valid name (letters, digits and _, not starting with a digit)";
        if (SyntaxFacts.KeywordKind(newName) is not null) return $"'{newName}' is a keyword";
        if (newName == symbol.Name) return null;
        if (symbol.Kind is Language.Semantics.SymbolKind.Block && LayerCatalog.Find(newName) is not null)
            return $"'{newName}' is a built-in layer";
        if (symbol.Kind is Language.Semantics.SymbolKind.Tensor) return ValidateTensor(analysis, symbol, newName);
        if (symbol.Kind is Language.Semantics.SymbolKind.Parameter)
        {
            var siblings = symbol.OwnerBlock?.Parameters?.Parameters.Select(p => p.Text) ?? [];
            return siblings.Contains(newName) ? $"block {symbol.OwnerBlock!.Name.Text} already has a parameter '{newName}'" : null;
        }
        var clash = analysis.Root.Declarations.FirstOrDefault(d => d is not TrainDeclarationSyntax && !d.Name.IsMissing && d.Name.Text == newName);
        return clash is null ? null : $"'{newName}' is already declared at line {LspTranslator.ToLine(analysis.Text, clash.Name.Position) + 1}";
    }

    /// <summary>
    /// A tensor name lives in its declaration's bodies: it may not become `time`, another tensor name of the same
    /// declaration (a duplicate, or one that shadows) or a parameter of its block; network and block names do not clash.
    /// </summary>
    private static string? ValidateTensor(DocumentAnalysis analysis, Symbol symbol, string newName)
    {
        if (newName == "time") return "'time' is the built-in name of a denoiser's time step";
        var owner = symbol.Declaration.Ancestors().OfType<DeclarationSyntax>().FirstOrDefault();
        if (symbol.OwnerBlock?.Parameters?.Parameters.Any(p => p.Text == newName) == true)
            return $"block {symbol.OwnerBlock.Name.Text} already has a parameter '{newName}'";
        var other = owner?.DescendantNodes().OfType<TensorNameSyntax>().FirstOrDefault(t => !t.Name.IsMissing && t.Name.Text == newName);
        return other is null ? null : $"'{newName}' already names a tensor at line {LspTranslator.ToLine(analysis.Text, other.Name.Position) + 1}";
    }
}
