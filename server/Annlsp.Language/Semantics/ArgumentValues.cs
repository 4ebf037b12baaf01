using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Annlsp.Language.Semantics;

/// <summary>
/// A call's resolved arguments by parameter name, stored as an array aligned with the signature. A
/// signature has at most a handful of parameters, so a scan beats a hash table and the checker makes one
/// of these per layer of every network on every keystroke: it must be small.
/// </summary>
public sealed class ArgumentValues : IReadOnlyDictionary<string, object>
{
    public static readonly ArgumentValues Empty = new([], []);

    private readonly ParameterInfo[] _parameters;
    private readonly object?[] _values;

    /// <summary>Values that read as their descriptions (a block use's arguments), made only when read: the editor reads few.</summary>
    private readonly bool _described;

    /// <summary>Takes ownership of the values, one per parameter; null means "not given and no default".</summary>
    internal ArgumentValues(ParameterInfo[] parameters, object?[] values)
    {
        _parameters = parameters;
        _values = values;
    }

    /// <summary>A block use's arguments as written: each reads as its <see cref="Value.Describe"/> ("64", "the tensor e1").</summary>
    internal static ArgumentValues Described(ParameterInfo[] parameters, Value?[] values) => new(parameters, values, described: true);

    private ArgumentValues(ParameterInfo[] parameters, Value?[] values, bool described)
    {
        _parameters = parameters;
        _values = values;
        _described = described;
    }

    private object? Read(int i) => _described ? ((Value?)_values[i])?.Describe() : _values[i];

    private int IndexOf(string key)
    {
        // Keys are nearly always the catalogue's own string instances: compare references first.
        var ps = _parameters;
        for (int i = 0; i < ps.Length; i++) if (ReferenceEquals(ps[i].Name, key)) return i;
        for (int i = 0; i < ps.Length; i++) if (ps[i].Name == key) return i;
        return -1;
    }

    public object this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no argument '{key}'");

    public bool ContainsKey(string key) => IndexOf(key) is var i && i >= 0 && _values[i] is not null;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? Read(i) : null;
        return value is not null;
    }

    public int Count
    {
        get
        {
            int n = 0;
            foreach (var v in _values) if (v is not null) n++;
            return n;
        }
    }

    public IEnumerable<string> Keys => this.Select(kv => kv.Key);
    public IEnumerable<object> Values => this.Select(kv => kv.Value);

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        for (int i = 0; i < _parameters.Length; i++)
            if (Read(i) is { } v) yield return new(_parameters[i].Name, v);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Boxes shared by every layer: most arguments are small integers, flags and square pairs.
    private static readonly object[] SmallInts = Enumerable.Range(0, 1025).Select(i => (object)i).ToArray();
    private static readonly object[] SquarePairs = Enumerable.Range(0, 17).Select(i => (object)new Pair(i, i)).ToArray();
    internal static readonly object True = true, False = false;

    internal static object Box(int i) => (uint)i < (uint)SmallInts.Length ? SmallInts[i] : i;
    internal static object Box(bool b) => b ? True : False;
    internal static object Box(Pair p) => p.H == p.W && (uint)p.H < (uint)SquarePairs.Length ? SquarePairs[p.H] : p;
}
