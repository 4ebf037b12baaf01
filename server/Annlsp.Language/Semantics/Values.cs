using Annlsp.Language.Syntax;
using Annlsp.Language.Text;

namespace Annlsp.Language.Semantics;

/// <summary>The value of an expression, before it is converted to a parameter's type.</summary>
internal abstract record Value(TextSpan Span)
{
    public abstract string Describe();
}

internal sealed record IntValue(long V, TextSpan S) : Value(S) { public override string Describe() => V.ToString(); }
internal sealed record NumberVal(double V, TextSpan S) : Value(S)
{
    // A whole-valued real still reads as a real (1e3 → 1000.0), so "not an integer" makes sense.
    public override string Describe() => ParameterInfo.FormatNumber(V) is var s && !s.Contains('.') && !s.Contains('e') ? s + ".0" : ParameterInfo.FormatNumber(V);
}
internal sealed record BoolValue(bool V, TextSpan S) : Value(S) { public override string Describe() => V ? "true" : "false"; }
internal sealed record StringValue(string V, TextSpan S) : Value(S) { public override string Describe() => $"\"{V}\""; }
internal sealed record WordValue(string V, TextSpan S) : Value(S) { public override string Describe() => V; }
internal sealed record ShapeValue(long[] Dims, TextSpan S) : Value(S) { public override string Describe() => string.Join("x", Dims); }
internal sealed record CallValue(string Name, CallExpressionSyntax Syntax, Environment Env, TextSpan S) : Value(S)
{
    public override string Describe() => Name + "(…)";
}
/// <summary>Already reported, or unknowable (an unused block's parameter): never reported again.</summary>
internal sealed record ErrorValue(TextSpan S) : Value(S) { public override string Describe() => "?"; }

/// <summary>Block parameter bindings while a block body is expanded: one value per parameter of the block.</summary>
internal sealed class Environment
{
    public static readonly Environment Empty = new(null, [], []);

    public Environment(BlockDeclarationSyntax? block, ParameterInfo[] parameters, Value?[] values)
    {
        Block = block;
        Parameters = parameters;
        Values = values;
    }

    public BlockDeclarationSyntax? Block { get; }
    public ParameterInfo[] Parameters { get; }
    public Value?[] Values { get; }

    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Value value)
    {
        for (int i = 0; i < Parameters.Length; i++)
        {
            if (Parameters[i].Name == name && Values[i] is { } v)
            {
                value = v;
                return true;
            }
        }
        value = null;
        return false;
    }
}
