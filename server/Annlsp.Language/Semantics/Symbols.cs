using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

public enum SymbolKind { Network, Block, Gan, Parameter, Tensor, Diffusion }

/// <summary>A declared name: a network, block, gan, diffusion, block parameter or tensor (`as NAME`, its declaration the <see cref="TensorNameSyntax"/>).</summary>
public sealed record Symbol(SymbolKind Kind, string Name, TextSpan NameSpan, SyntaxNode Declaration, BlockDeclarationSyntax? OwnerBlock = null);

/// <summary>One occurrence of a symbol's name (its declaration included) — for definition, references, rename, highlight.</summary>
public sealed record SymbolReference(Symbol Symbol, TextSpan Span, bool IsDeclaration);

/// <summary>What the checker learned about one layer (or block use, or residual) written in the document.</summary>
public sealed record LayerFacts(
    StackItemSyntax Syntax,
    LayerInfo? Layer,
    BlockDeclarationSyntax? Block,
    Shape Input,
    Shape Output,
    long Parameters,
    long MultiplyAdds,
    IReadOnlyDictionary<string, object> Arguments)
{
    /// <summary>For a merge: the shape of each argument after its chain, in order.</summary>
    public IReadOnlyList<Shape> MergeInputs { get; init; } = [];

    /// <summary>The shape or parameter formula for hover; null for block uses.</summary>
    public string? Formula => Block is not null ? null
        : Syntax is ResidualSyntax r ? (r.Shortcut is null ? LayerInstance.ResidualFormula : LayerInstance.ResidualWithShortcutFormula)
        : Syntax is MergeSyntax m ? LayerInstance.MergeFormula(m.Name.Text, Input, MergeInputs, Output)
        : Layer?.Formula(Input, Output, Arguments);
}
