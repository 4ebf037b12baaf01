using Annlsp.Language.Syntax;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>
/// `time`, the second input of a diffusion denoiser: a built-in name, visible in every body (blocks
/// included), a vector as long as the diffusion's time embedding.
/// </summary>
internal sealed partial class Checker
{
    /// <summary>The network being checked (null while a block is checked on its own).</summary>
    private NetworkDeclarationSyntax? _networkDecl;
    private Shape? _networkInput;
    /// <summary>The length of `time` in the network being checked; null when it is not a denoiser.</summary>
    private int? _timeLength;

    /// <summary>
    /// The hook diffusion fills: the length of `time` (the time embedding) when <paramref name="network"/> is the
    /// denoiser of a diffusion declaration, else null — then `time` in it is an error.
    /// </summary>
    private int? TimeEmbeddingOf(NetworkDeclarationSyntax network) => DenoiserTimeEmbedding(network.Name.Text); // Checker.Diffusion.cs

    private void BeginNetwork(NetworkDeclarationSyntax network)
    {
        _networkDecl = network;
        _networkInput = null;
        _deepest = long.MaxValue;
        _halvingsToDeepest = 0;
        _timeLength = network.Name.IsMissing ? null : TimeEmbeddingOf(network);
    }

    private void BeginStandaloneBlock()
    {
        _networkDecl = null;
        _networkInput = null;
        _timeLength = null;
    }

    /// <summary>`time` as a merge argument or chain start. Outside a denoiser it is an error; in a block checked on its own its length is unknown.</summary>
    private TensorSource? TimeSource(SyntaxToken name)
    {
        if (_timeLength is int length) return new TensorSource(TensorSourceKind.Time, null, "time", Shape.Vector(length), name.Span);
        if (_networkDecl is null) return new TensorSource(TensorSourceKind.Time, null, "time", Shape.Unknown, name.Span);
        _diagnostics.Add(TimeOutsideDenoiser(name.Span, _networkDecl.Name.Text, _blockChain.Count > 0 ? _blockChain[0].Name.Text : null, _networkDecl.Name.Span));
        return null;
    }
}
