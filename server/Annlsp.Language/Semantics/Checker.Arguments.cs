using System.Globalization;
using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

internal sealed partial class Checker
{
    /// <summary>Evaluates an expression; errors inside it are reported once and yield <see cref="ErrorValue"/>.</summary>
    private Value Evaluate(ExpressionSyntax expression, Environment env)
    {
        var span = expression.Span;
        switch (expression)
        {
            case LiteralExpressionSyntax lit:
                return (Value)(lit.CachedValue ??= lit.Token.Kind switch
                {
                    SyntaxKind.Number when lit.Token.Value is NumberValue n => n.Integer is long l ? new IntValue(l, span) : new NumberVal(n.Value, span),
                    SyntaxKind.ShapeLiteral when lit.Token.Value is long[] dims => new ShapeValue(dims, span),
                    SyntaxKind.String => new StringValue((string?)lit.Token.Value ?? "", span),
                    SyntaxKind.TrueKeyword => new BoolValue(true, span),
                    SyntaxKind.FalseKeyword => new BoolValue(false, span),
                    _ => new ErrorValue(span),
                });
            case NameExpressionSyntax name:
                if (name.SuffixNumber is null && env.Block is not null && env.TryGetValue(name.Name.Text, out var bound))
                {
                    if (_blockParameters.TryGetValue(env.Block, out var ps) && ps.TryGetValue(name.Name.Text, out var psym))
                        AddReference(psym, name.Name.Span, false);
                    return bound;
                }
                if (name.SuffixNumber is null && _scope is not null && TensorArgument(name) is { } tensor) return tensor;
                return (Value)(name.CachedValue ??= new WordValue(name.FullName, span));
            case CallExpressionSyntax call:
                return new CallValue(call.Name.Text, call, env, span);
            case ProductExpressionSyntax product:
            {
                var left = Evaluate(product.Left, env);
                var right = Evaluate(product.Right, env);
                if (left is ErrorValue || right is ErrorValue) return new ErrorValue(span);
                if (left is IntValue a && right is IntValue b)
                {
                    try { return new IntValue(checked(a.V * b.V), span); }
                    catch (OverflowException)
                    {
                        _diagnostics.Add(ProductOverflow(span, a.V, b.V));
                        return new ErrorValue(span);
                    }
                }
                var bad = left is IntValue ? right : left;
                _diagnostics.Add(MultiplyNonInteger(bad.Span, bad.Describe()));
                return new ErrorValue(span);
            }
            default:
                return new ErrorValue(span);
        }
    }

    /// <summary>
    /// Matches arguments to parameters (positional first, then named) and evaluates them, without type
    /// conversion: one value per parameter, null where none was given. Null when the arguments cannot be
    /// matched at all.
    /// </summary>
    private Value?[]? BindRaw(ArgumentListSyntax? list, ParameterInfo[] parameters, string callee,
        TextSpan calleeSpan, Environment env, bool reportMissing = true, Value?[]? into = null)
    {
        var bound = into ?? new Value?[parameters.Length];
        bool ok = true;
        bool seenNamed = false;
        int position = 0;
        var arguments = list?.Arguments ?? [];
        for (int a = 0; a < arguments.Count; a++)
        {
            var arg = arguments[a];
            int target;
            if (arg.Name is null)
            {
                if (seenNamed)
                {
                    _diagnostics.Add(PositionalAfterNamed(arg.Span));
                    ok = false;
                    continue;
                }
                if (position >= parameters.Length)
                {
                    _diagnostics.Add(TooManyArguments(arg.Span, callee, parameters, RemovalSpan(list!, arg)));
                    ok = false;
                    continue;
                }
                target = position++;
            }
            else
            {
                seenNamed = true;
                string argName = arg.Name.Text;
                target = IndexOfParameter(parameters, argName);
                if (target < 0)
                {
                    var near = NameMatcher.Nearest(argName, parameters.Select(p => p.Name));
                    _diagnostics.Add(UnknownArgument(arg.Name.Span, callee, argName, near, parameters));
                    ok = false;
                    continue;
                }
            }
            if (bound[target] is not null)
            {
                _diagnostics.Add(DuplicateArgument(arg.Name?.Span ?? arg.Span, parameters[target].Name));
                ok = false;
                continue;
            }
            bound[target] = Evaluate(arg.Value, env);
        }
        // After a misspelt or misplaced argument, "missing" would only repeat the same mistake.
        if (reportMissing && ok)
        {
            List<ParameterInfo>? missing = null;
            for (int i = 0; i < parameters.Length; i++)
                if (bound[i] is null && parameters[i].IsRequired) (missing ??= []).Add(parameters[i]);
            if (missing is not null)
            {
                _diagnostics.Add(MissingArguments(calleeSpan, callee, missing, parameters));
                ok = false;
            }
        }
        return ok ? bound : null;
    }

    private static int IndexOfParameter(ParameterInfo[] parameters, string name)
    {
        for (int i = 0; i < parameters.Length; i++) if (parameters[i].Name == name) return i;
        return -1;
    }

    private static TextSpan RemovalSpan(ArgumentListSyntax list, ArgumentSyntax arg)
    {
        // Remove the argument together with the comma before it.
        int index = list.Items.ToList().IndexOf(arg);
        if (index > 0 && list.Items[index - 1] is SyntaxToken { Kind: SyntaxKind.Comma } comma)
            return TextSpan.FromBounds(comma.Span.Start, arg.Span.End);
        return arg.Span;
    }

    private Value?[] _scratch = new Value?[16];

    /// <summary>Binds and converts arguments to the parameters' types, filling in defaults. Null on any error.</summary>
    private ArgumentValues? BindArguments(ArgumentListSyntax? list, ParameterInfo[] parameters, string callee,
        TextSpan calleeSpan, Environment env)
    {
        if (parameters.Length > _scratch.Length) _scratch = new Value?[parameters.Length];
        Array.Clear(_scratch);
        // The raw values only live until they are converted, so one buffer serves every call.
        var raw = BindRaw(list, parameters, callee, calleeSpan, env, into: _scratch);
        if (raw is null) return null;
        if (parameters.Length == 0) return ArgumentValues.Empty;
        if (_converted.Length < parameters.Length) _converted = new object?[parameters.Length];
        // Converted into a scratch array first: most layers repeat an earlier layer's arguments and share its values.
        var result = _converted.AsSpan(0, parameters.Length);
        result.Clear();
        bool ok = true;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (raw[i] is not { } value) continue;
            if (Convert(value, parameters[i], callee) is { } converted) result[i] = converted;
            else ok = false;
        }
        for (int i = 0; i < parameters.Length; i++)
        {
            if (result[i] is not null) continue;
            var p = parameters[i];
            if (p.DefaultFrom is not null && IndexOfParameter(parameters, p.DefaultFrom) is var from && from >= 0 && result[from] is { } other)
                result[i] = other;
            else result[i] = p.Default;
        }
        return ok ? Shared(parameters, result) : null;
    }

    private object?[] _converted = new object?[16];

    /// <summary>One <see cref="ArgumentValues"/> (immutable) per distinct signature and values: a big document repeats its layers' arguments.</summary>
    private readonly Dictionary<ArgumentKey, ArgumentValues> _sharedArguments = new();

    private ArgumentValues Shared(ParameterInfo[] parameters, ReadOnlySpan<object?> values)
    {
        var probe = new ArgumentKey(parameters, _converted);
        if (_sharedArguments.TryGetValue(probe, out var shared)) return shared;
        var owned = values.ToArray();
        var made = new ArgumentValues(parameters, owned);
        _sharedArguments[new ArgumentKey(parameters, owned)] = made;
        return made;
    }

    /// <summary>A signature and its values (the first <c>parameters.Length</c> of the array); values are equal as they print (a double by its bits: 0.0 is not −0.0).</summary>
    private readonly struct ArgumentKey(ParameterInfo[] parameters, object?[] values) : IEquatable<ArgumentKey>
    {
        private readonly ParameterInfo[] _parameters = parameters;
        private readonly object?[] _values = values;

        public bool Equals(ArgumentKey other)
        {
            if (!ReferenceEquals(_parameters, other._parameters)) return false;
            for (int i = 0; i < _parameters.Length; i++)
                if (!Same(_values[i], other._values[i])) return false;
            return true;
        }

        private static bool Same(object? a, object? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a.GetType() != b.GetType()) return false;
            return a is double x ? BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits((double)b) : a.Equals(b);
        }

        public override bool Equals(object? obj) => obj is ArgumentKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_parameters));
            for (int i = 0; i < _parameters.Length; i++) hash.Add(_values[i]);
            return hash.ToHashCode();
        }
    }

    private object? Convert(Value value, ParameterInfo p, string callee)
    {
        if (value is ErrorValue) return null;
        if (value is TensorValue tensor)
        {
            // A word that is also a tensor's name (`pool(max, 2)` beside `as max`) keeps its meaning as a word.
            bool isWord = p.Type == ParameterType.Enum && p.EnumValues!.Contains(tensor.Word)
                          || p.Type == ParameterType.Padding && tensor.Word is "same" or "valid";
            if (!isWord)
            {
                _diagnostics.Add(TensorWhereValueExpected(value.Span, callee, p, tensor.Word, tensor.Source.Shape, tensor.Source.DefinedAt));
                return null;
            }
            value = new WordValue(tensor.Word, tensor.Span);
        }
        // Zero is a fine padding (1x0) but never a tensor dimension.
        if (p.Type == ParameterType.Shape && value is ShapeValue { Dims: var zeroDims } && zeroDims.Contains(0))
        {
            _diagnostics.Add(ZeroDimension(value.Span, callee, p.Name, value.Describe()));
            return null;
        }
        object? converted = p.Type switch
        {
            ParameterType.Int => value is IntValue i && i.V is >= int.MinValue and <= int.MaxValue ? ArgumentValues.Box((int)i.V) : null,
            ParameterType.Number => value switch { IntValue i => (double)i.V, NumberVal n => n.V, _ => null },
            ParameterType.Bool => value is BoolValue b ? ArgumentValues.Box(b.V) : null,
            ParameterType.String => value is StringValue s ? s.V : null,
            ParameterType.DataSet => value is WordValue or CallValue ? value : null, // resolved by ResolveDataSet
            ParameterType.Enum => value is WordValue w && p.EnumValues!.Contains(w.V) ? w.V : null,
            ParameterType.Shape => value switch
            {
                ShapeValue sh => Shape.OfUnchanged(sh.Dims),
                IntValue i when i.V is >= 1 and <= int.MaxValue => Shape.Vector(i.V),
                _ => null,
            },
            ParameterType.IntOrPair or ParameterType.Padding => value switch
            {
                IntValue i when i.V is >= int.MinValue and <= int.MaxValue => ArgumentValues.Box(new Pair((int)i.V, (int)i.V)),
                ShapeValue { Dims.Length: 2 } sh => ArgumentValues.Box(new Pair((int)sh.Dims[0], (int)sh.Dims[1])),
                WordValue { V: "same" } when p.Type == ParameterType.Padding => "same",
                WordValue { V: "valid" } when p.Type == ParameterType.Padding => ArgumentValues.Box(new Pair(0, 0)),
                _ => null,
            },
            _ => null,
        };
        if (converted is null)
        {
            if (p.Type == ParameterType.Int && value is IntValue big)
            {
                _diagnostics.Add(ArgumentAboveIntMax(value.Span, callee, p.Name, big.V));
                return null;
            }
            string? near = p.Type == ParameterType.Enum && value is WordValue word ? NameMatcher.Nearest(word.V, p.EnumValues!) : null;
            _diagnostics.Add(WrongArgumentType(value.Span, callee, p, value.Describe(), near));
            return null;
        }
        if (!InRange(converted, p, out string range))
        {
            _diagnostics.Add(ArgumentOutOfRange(value.Span, callee, p.Name, range, value.Describe()));
            return null;
        }
        return converted;
    }

    /// <summary>Checks a converted value against the parameter's bounds; the description is built only when it fails.</summary>
    private static bool InRange(object value, ParameterInfo p, out string description)
    {
        description = "";
        if (p.Min is null && p.Max is null) return true;
        bool ok = value switch
        {
            int i => WithinBounds(p, i),
            long l => WithinBounds(p, l),
            double d => WithinBounds(p, d),
            Pair pair => WithinBounds(p, pair.H) && WithinBounds(p, pair.W),
            Shape shape => AllWithinBounds(p, shape),
            _ => true,
        };
        if (ok) return true;
        var parts = new List<string>();
        if (p.Min is double min) parts.Add(p.MinExclusive ? $"> {Fmt(min)}" : $"≥ {Fmt(min)}");
        if (p.Max is double max) parts.Add(p.MaxExclusive ? $"< {Fmt(max)}" : $"≤ {Fmt(max)}");
        description = string.Join(" and ", parts);
        return false;
    }

    // Static methods rather than a local function capturing `p`: that closure was made on every call.
    private static bool WithinBounds(ParameterInfo p, double x) =>
        !(p.Min is double lo && (p.MinExclusive ? x <= lo : x < lo)) && !(p.Max is double hi && (p.MaxExclusive ? x >= hi : x > hi));

    private static bool AllWithinBounds(ParameterInfo p, Shape shape)
    {
        for (int i = 0; i < shape.Rank; i++) if (!WithinBounds(p, shape[i])) return false;
        return true;
    }

    private static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
