using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

/// <summary>
/// The checker's sets of symbols and `as NAME` nodes compare by identity (each is made once per declaration) and
/// hash by source position. A record's value hash hashes its name and its syntax node, and an object's first
/// identity hash writes its header: together a tenth of the checker's samples in a profile of a file of U-Nets
/// (side by side, the saving is within the development VM's noise: docs/benchmarks.md).
/// </summary>
internal sealed class IdentityComparers :
    IEqualityComparer<Symbol>, IEqualityComparer<(Symbol Symbol, TextSpan Span)>, IEqualityComparer<TensorNameSyntax>
{
    public static readonly IdentityComparers Instance = new();

    public bool Equals(Symbol? x, Symbol? y) => ReferenceEquals(x, y);
    public int GetHashCode(Symbol symbol) => symbol.NameSpan.Start;

    public bool Equals((Symbol Symbol, TextSpan Span) x, (Symbol Symbol, TextSpan Span) y) => ReferenceEquals(x.Symbol, y.Symbol) && x.Span == y.Span;
    public int GetHashCode((Symbol Symbol, TextSpan Span) reference) => reference.Symbol.NameSpan.Start * 31 + reference.Span.Start;

    public bool Equals(TensorNameSyntax? x, TensorNameSyntax? y) => ReferenceEquals(x, y);
    public int GetHashCode(TensorNameSyntax syntax) => syntax.Name.Position;
}
