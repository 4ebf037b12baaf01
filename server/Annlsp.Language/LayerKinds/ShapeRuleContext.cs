using Annlsp.Language.Diagnostics;
using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.LayerKinds;

/// <summary>What a layer kind's shape rule computes: the output shape, the parameter count and the multiply–adds.</summary>
public readonly record struct ShapeResult(Shape Output, long Parameters = 0, long MultiplyAdds = 0)
{
    /// <summary>The rule reported an error (or the input was already unknown): later layers stay quiet.</summary>
    public static ShapeResult Unknown => new(Shape.Unknown);
}

/// <summary>A kind's shape rule: reads the resolved arguments and the input from the context, reports its own mistakes there.</summary>
internal delegate ShapeResult ShapeRule(ShapeRuleContext context);

/// <summary>The formula hover shows for a layer of a kind (input and output are known); null when there is nothing to show.</summary>
internal delegate string? FormulaRule(Shape input, Shape output, IReadOnlyDictionary<string, object> arguments);

/// <summary>The short label of a layer in summaries and the network view ("conv(6, 5)").</summary>
internal delegate string LabelRule(IReadOnlyDictionary<string, object> arguments);

/// <summary>
/// What a shape rule sees of one layer: its resolved arguments (defaults filled in), its input shape and
/// where it is written, plus the reporting the rules share (sizes, where a fix inserts a layer). The
/// checker owns one and resets it for every layer, so running a rule allocates nothing of its own.
/// Diagnostics are made by <see cref="DiagnosticBuilder"/>'s factories.
/// </summary>
internal sealed class ShapeRuleContext(DiagnosticBag diagnostics)
{
    /// <summary>Above this many elements per example an output is too large to train (ANN3013).</summary>
    public const long MaxElements = int.MaxValue * 16L;

    public ArgumentValues Arguments { get; private set; } = ArgumentValues.Empty;
    public Shape Input { get; private set; } = Shape.Unknown;
    /// <summary>The layer as written; its name is where most diagnostics point.</summary>
    public LayerSyntax Layer { get; private set; } = null!;

    public void Reset(ArgumentValues arguments, Shape input, LayerSyntax layer)
    {
        Arguments = arguments;
        Input = input;
        Layer = layer;
    }

    public string Name => Layer.Name.Text;
    public TextSpan NameSpan => Layer.Name.Span;
    /// <summary>The argument list, or the name when there is none.</summary>
    public TextSpan ArgumentsSpan => Layer.Arguments?.Span ?? Layer.Name.Span;

    public int Int(string name) => (int)Arguments[name];
    public double Number(string name) => (double)Arguments[name];
    public bool Bool(string name) => (bool)Arguments[name];
    public Pair Pair(string name) => (Pair)Arguments[name];

    /// <summary>The value of a named argument as written, or null when it was left to its default.</summary>
    public TextSpan? ArgumentSpan(string name) =>
        Layer.Arguments?.Arguments.FirstOrDefault(a => a.Name?.Text == name)?.Value.Span;

    /// <summary>The value as written for the parameter at <paramref name="position"/>, named or positional; null when not given.</summary>
    public ExpressionSyntax? WrittenValue(string name, int position)
    {
        var args = Layer.Arguments?.Arguments ?? [];
        for (int i = 0; i < args.Count; i++)
            if (args[i].Name?.Text == name || (args[i].Name is null && i == position)) return args[i].Value;
        return null;
    }

    public void Report(Diagnostic diagnostic) => diagnostics.Add(diagnostic);

    /// <summary>Runs <paramref name="kind"/>'s rule after checking that the input is one the kind accepts (ANN3001, ANN3002).</summary>
    public ShapeResult Run(LayerInfo kind)
    {
        if (!Input.IsKnown) return ShapeResult.Unknown;
        switch (kind.Needs)
        {
            case InputKind.Image when !Input.IsImage:
                var image = Input.IsVector ? SuggestImage(Input[0]) : null;
                string? reshape = image is null ? null : $"reshape({image.Dims[0]}x{image.Dims[1]}x{image.Dims[2]})";
                Report(ImageLayerOnVector(NameSpan, kind.Name, Input, reshape, InsertionPoint, LayerSeparator()));
                return ShapeResult.Unknown;
            case InputKind.Vector when !Input.IsVector:
                Report(DenseOnImage(NameSpan, kind.Name, Input, InsertionPoint, LayerSeparator()));
                return ShapeResult.Unknown;
        }
        return kind.Rule(this);
    }

    /// <summary>ANN3013 and false when <paramref name="output"/> is too large to train.</summary>
    public bool CheckSize(Shape output)
    {
        if (output.ElementCount <= MaxElements) return true;
        Report(OutputTooLarge(NameSpan, output));
        return false;
    }

    /// <summary>The output when it is small enough to train, else <see cref="ShapeResult.Unknown"/> (reported).</summary>
    public ShapeResult Sized(Shape output, long parameters = 0, long multiplyAdds = 0) =>
        CheckSize(output) ? new ShapeResult(output, parameters, multiplyAdds) : ShapeResult.Unknown;

    /// <summary>Where a fix inserts a layer in front of this one.</summary>
    private TextSpan InsertionPoint => new(Layer.Span.Start, 0);

    /// <summary>A C×S×S image with N elements and the largest square S×S (N = 400 → 16×5×5).</summary>
    internal static Shape? SuggestImage(long n)
    {
        for (long s = (long)Math.Sqrt(n); s >= 2; s--)
            if (n % (s * s) == 0) return Shape.Image(n / (s * s), s, s);
        return null;
    }

    /// <summary>What separates an inserted layer from this one: an arrow when this layer follows another on its line.</summary>
    private string LayerSeparator()
    {
        var token = Layer.Name;
        return token.StartsLine || Layer.Parent is not StackBodySyntax ? "\n" + Indentation(token) : " -> ";
    }

    private static string Indentation(SyntaxToken token)
    {
        var trivia = token.LeadingTrivia;
        return trivia.Count > 0 && trivia[^1].Kind == SyntaxKind.Whitespace ? trivia[^1].Text : "";
    }
}
