namespace Annlsp.Language.Semantics;

/// <summary>
/// A tensor shape without the batch dimension: C×H×W for images, N for vectors.
/// <see cref="Unknown"/> stands for "could not be inferred" (an error was already reported upstream),
/// so later layers stay quiet instead of cascading.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    public static readonly Shape Unknown = new(Array.Empty<long>(), known: false);

    private readonly long[] _dims;

    private Shape(long[] dims, bool known) { _dims = dims; IsKnown = known; }

    public static Shape Of(params long[] dims) => new((long[])dims.Clone(), known: true);
    public static Shape Vector(long n) => new([n], known: true);
    public static Shape Image(long c, long h, long w) => new([c, h, w], known: true);

    /// <summary>A shape over dims that nothing changes (a shape literal's, which its token keeps): not copied.</summary>
    internal static Shape OfUnchanged(long[] dims) => new(dims, known: true);

    /// <summary>The same shape with another channel count (or vector length): a concat's output.</summary>
    internal Shape WithChannels(long channels)
    {
        var dims = (long[])_dims.Clone();
        dims[0] = channels;
        return new(dims, known: true);
    }

    public bool IsKnown { get; }
    public IReadOnlyList<long> Dims => _dims;
    public int Rank => _dims.Length;
    public bool IsVector => IsKnown && Rank == 1;
    public bool IsImage => IsKnown && Rank == 3;
    public long this[int i] => _dims[i];

    /// <summary>Number of elements, saturating at long.MaxValue.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _dims)
            {
                if (d != 0 && n > long.MaxValue / d) return long.MaxValue;
                n *= d;
            }
            return n;
        }
    }

    public int[] ToIntArray() => _dims.Select(d => (int)Math.Min(d, int.MaxValue)).ToArray();

    /// <summary>"16×5×5", "400" or "?" — the form every message and hint uses.</summary>
    public override string ToString() => IsKnown ? string.Join("×", _dims) : "?";

    public bool Equals(Shape? other) =>
        other is not null && IsKnown == other.IsKnown && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }
}
