using static TorchSharp.torch;

namespace Annlsp.Training.Scoring;

/// <summary>The mean and covariance of a set of feature vectors (float64, on the CPU).</summary>
public sealed class FeatureStatistics : IDisposable
{
    public FeatureStatistics(Tensor mean, Tensor covariance, long count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    /// <summary>[D]</summary>
    public Tensor Mean { get; }
    /// <summary>[D, D], unbiased (divided by N − 1, as numpy.cov).</summary>
    public Tensor Covariance { get; }
    public long Count { get; }

    /// <summary>The statistics of features [N, D] (N ≥ 2).</summary>
    public static FeatureStatistics Of(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2) throw new ArgumentException("features must be [N, D] with N ≥ 2");
        using var scope = NewDisposeScope();
        var x = features.detach().cpu().to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var cov = centred.t().matmul(centred).div_(x.shape[0] - 1);
        return new FeatureStatistics(mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope(), x.shape[0]);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}

/// <summary>
/// The Fréchet distance between two Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) — the idea of FID:
/// |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½. The matrix square roots come from symmetric
/// eigendecompositions (both matrices are positive semi-definite), so the result is real; rounding
/// below zero in tiny eigenvalues is clipped.
/// </summary>
public static class FrechetDistance
{
    public static double Between(FeatureStatistics a, FeatureStatistics b) => Between(a.Mean, a.Covariance, b.Mean, b.Covariance);

    public static double Between(Tensor mean1, Tensor cov1, Tensor mean2, Tensor cov2)
    {
        using var scope = NewDisposeScope();
        var m1 = mean1.cpu().to_type(ScalarType.Float64);
        var m2 = mean2.cpu().to_type(ScalarType.Float64);
        var s1 = cov1.cpu().to_type(ScalarType.Float64);
        var s2 = cov2.cpu().to_type(ScalarType.Float64);
        if (m1.dim() != 1 || !m1.shape.SequenceEqual(m2.shape) || !s1.shape.SequenceEqual(s2.shape) || s1.shape[0] != m1.shape[0])
            throw new ArgumentException("means must be [D] and covariances [D, D] of the same D");
        var diff = m1 - m2;
        double meanTerm = diff.dot(diff).item<double>();
        var root1 = SymmetricSqrt(s1);
        var inner = root1.matmul(s2).matmul(root1);
        inner = (inner + inner.t()) / 2; // exactly symmetric for eigh
        var (eigenvalues, _) = linalg.eigh(inner);
        double traceOfRoot = eigenvalues.clamp_min(0).sqrt().sum().item<double>();
        double fd = meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceOfRoot;
        return Math.Max(0, fd);
    }

    private static Tensor SymmetricSqrt(Tensor m)
    {
        var (values, vectors) = linalg.eigh((m + m.t()) / 2);
        return vectors.matmul(diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
    }
}
