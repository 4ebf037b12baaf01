using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Names and arguments (ANN2xxx).</summary>
public static partial class DiagnosticBuilder
{
    // ANN2001 Unknown layer
    /// <param name="otherKind">"network" or "gan" when the name is declared as one, else null</param>
    public static Diagnostic UnknownLayer(TextSpan at, string name, string? near, string? otherKind) =>
        Make(DiagnosticCatalog.UnknownLayer, at,
            otherKind is not null ? $"'{name}' is a {otherKind}, not a layer; reuse layers with a block"
            : near is null ? $"Unknown layer '{name}'" : $"Unknown layer '{name}'; did you mean '{near}'?",
            null, ChangeTo(at, near));

    /// <summary>ANN2001 for a tensor's name (an `as` name, a block's tensor parameter, `time`) written as a layer.</summary>
    public static Diagnostic TensorWhereLayerExpected(TextSpan at, string name) =>
        Make(DiagnosticCatalog.UnknownLayer, at,
            $"'{name}' is a tensor, not a layer: merge it into the running tensor with concat({name}) or add({name}), or start a chain inside one, such as add({name} -> {(name == "time" ? "dense(c)" : "conv(c, kernel: 1)")})");

    // ANN2002 Unknown network
    /// <param name="nameToken">the name itself, which the fix replaces</param>
    public static Diagnostic UnknownNetwork(TextSpan at, TextSpan nameToken, string name, string? near) =>
        Make(DiagnosticCatalog.UnknownNetwork, at, $"Unknown network '{name}'{DidYouMean(near)}", null, ChangeTo(nameToken, near));

    public static Diagnostic UnknownTrainTarget(TextSpan at, string target, string? near, bool isBlock) =>
        Make(DiagnosticCatalog.UnknownNetwork, at,
            isBlock ? $"'{target}' is a block; train a network, a gan or a diffusion" : $"Unknown network, gan or diffusion '{target}'{DidYouMean(near)}",
            null, ChangeTo(at, near));

    // ANN2003 Duplicate declaration
    public static Diagnostic BlockNamedAsLayer(TextSpan at, string block) =>
        Make(DiagnosticCatalog.DuplicateDeclaration, at, $"Block '{block}' has the name of a built-in layer; choose another name");

    /// <param name="kind">what the first declaration is: "network", "block", "gan"</param>
    public static Diagnostic AlreadyDeclared(TextSpan at, string name, string kind, TextSpan first) =>
        Make(DiagnosticCatalog.DuplicateDeclaration, at, $"'{name}' is already declared (as a {kind})",
            Related(first, $"'{name}' is first declared here"));

    public static Diagnostic DuplicateParameter(TextSpan at, string parameter, string block, TextSpan first) =>
        Make(DiagnosticCatalog.DuplicateDeclaration, at, $"Parameter '{parameter}' is already declared in block '{block}'",
            Related(first, "first declared here"));

    // ANN2004 Unknown argument
    public static Diagnostic UnknownArgument(TextSpan at, string callee, string argument, string? near, ParameterInfo[] parameters) =>
        Make(DiagnosticCatalog.UnknownArgument, at,
            parameters.Length == 0 ? $"{callee} takes no arguments"
            : $"{callee} has no argument '{argument}'{DidYouMean(near)} (it takes {string.Join(", ", parameters.Select(p => p.Name))})",
            null, ChangeTo(at, near));

    // ANN2005 Duplicate argument
    public static Diagnostic DuplicateArgument(TextSpan at, string parameter) =>
        Make(DiagnosticCatalog.DuplicateArgument, at, $"'{parameter}' is given more than once");

    // ANN2006 Missing required argument
    public static Diagnostic MissingArguments(TextSpan at, string callee, IEnumerable<ParameterInfo> missing, ParameterInfo[] parameters) =>
        Make(DiagnosticCatalog.MissingArgument, at,
            $"{callee} needs {string.Join(" and ", missing.Select(m => $"'{m.Name}'"))}: {callee}({string.Join(", ", parameters.Where(p => p.IsRequired).Select(p => p.Name))})");

    // ANN2007 Wrong argument type
    public static Diagnostic WrongArgumentType(TextSpan at, string callee, ParameterInfo parameter, string got, string? near) =>
        Make(DiagnosticCatalog.WrongArgumentType, at, $"{callee}'s '{parameter.Name}' expects {ExpectedValue(parameter)}, but got {got}", null, ChangeTo(at, near));

    /// <summary>What a parameter takes, in words: "an integer", "one of max, avg".</summary>
    private static string ExpectedValue(ParameterInfo parameter) =>
        parameter.Type switch
        {
            ParameterType.Enum => "one of " + string.Join(", ", parameter.EnumValues!),
            ParameterType.Int => "an integer",
            ParameterType.Number => "a number",
            ParameterType.Bool => "true or false",
            ParameterType.String => "a string in quotes",
            ParameterType.Shape => "a shape such as 1x28x28, or an integer",
            ParameterType.IntOrPair => "an integer or HxW such as 3x3",
            ParameterType.Padding => "an integer, HxW, same or valid",
            ParameterType.DataSet => "a data set such as fashion_mnist or images(\"dir\", size: 64x64)",
            _ => parameter.TypeDisplay,
        };

    /// <param name="expected">"a number", "an integer", "a folder path in quotes"</param>
    public static Diagnostic WrongPropertyType(TextSpan at, string property, string expected, string got) =>
        Make(DiagnosticCatalog.WrongArgumentType, at, $"{property} expects {expected}, but got {got}");

    /// <param name="layer">"input" or "reshape"</param>
    public static Diagnostic WrongShapeRank(TextSpan at, string layer, Shape shape) =>
        Make(DiagnosticCatalog.WrongArgumentType, at, $"{layer} expects a vector N, a sequence C×L or an image C×H×W, but got {shape} ({shape.Rank} dimensions)");

    public static Diagnostic MultiplyNonInteger(TextSpan at, string got) =>
        Make(DiagnosticCatalog.WrongArgumentType, at, $"'*' multiplies integers, but {got} is not an integer");

    /// <param name="role">"generator" or "discriminator"</param>
    public static Diagnostic NotANetworkName(TextSpan at, string role) =>
        Make(DiagnosticCatalog.WrongArgumentType, at, $"{role} expects the name of a network");

    // ANN2008 Block recursion
    /// <param name="cycle">the blocks from the repeated one back to itself</param>
    public static Diagnostic BlockUsesItself(TextSpan at, string block, IEnumerable<string> cycle, TextSpan declaration) =>
        Make(DiagnosticCatalog.BlockRecursion, at, $"Block '{block}' uses itself ({string.Join(" → ", cycle)}); recursion is not allowed",
            Related(declaration, $"block '{block}' is declared here"));

    public static Diagnostic BlocksNestedTooDeep(TextSpan at, string block, int maxDepth, TextSpan declaration) =>
        Make(DiagnosticCatalog.BlockRecursion, at, $"Blocks are nested more than {maxDepth} deep",
            Related(declaration, $"block '{block}' is declared here"));

    // ANN2009 Unknown data set
    /// <param name="name">the name written, or "" when the value is not a name (<paramref name="got"/> describes it)</param>
    public static Diagnostic UnknownDataSet(TextSpan at, string name, string got, string? near, IReadOnlyList<string> known) =>
        UnknownCatalogName(DiagnosticCatalog.UnknownDataSet, "data set", at, name, got, near, known);

    // ANN2010 Unknown optimizer
    /// <inheritdoc cref="UnknownDataSet"/>
    public static Diagnostic UnknownOptimizer(TextSpan at, string name, string got, string? near, IReadOnlyList<string> known) =>
        UnknownCatalogName(DiagnosticCatalog.UnknownOptimizer, "optimizer", at, name, got, near, known);

    private static Diagnostic UnknownCatalogName(DiagnosticDescriptor descriptor, string what, TextSpan at, string name, string got,
        string? near, IReadOnlyList<string> known) =>
        Make(descriptor, at, $"Unknown {what} {(name.Length > 0 ? $"'{name}'" : got)}{DidYouMean(near)} (known: {string.Join(", ", known)})",
            null, ChangeTo(at, near));

    // ANN2011 Too many positional arguments
    /// <param name="removal">the argument with the comma before it</param>
    public static Diagnostic TooManyArguments(TextSpan at, string callee, ParameterInfo[] parameters, TextSpan removal) =>
        Make(DiagnosticCatalog.TooManyArguments, at,
            parameters.Length == 0
                ? $"{callee} takes no arguments"
                : $"{callee} takes at most {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({string.Join(", ", parameters.Select(p => p.Name))})",
            null, new CodeFix("Remove this argument", [new TextEdit(removal, "")]));

    // ANN2012 Positional argument after a named one
    public static Diagnostic PositionalAfterNamed(TextSpan at) =>
        Make(DiagnosticCatalog.PositionalAfterNamed, at, "Positional arguments must come before named ones; name this argument");

    // ANN2013 Network does not start with input
    public static Diagnostic MissingInput(TextSpan at, string network) =>
        Make(DiagnosticCatalog.MissingInput, at, $"Network '{network}' must start with input(shape), for example input(1x28x28) for 28×28 grey images");

    // ANN2014 input is only allowed as a network's first layer
    public static Diagnostic MisplacedInput(TextSpan at, bool inBlock) =>
        Make(DiagnosticCatalog.MisplacedInput, at,
            inBlock ? "A block cannot contain input; the input comes from where the block is used" : "input may only be the first layer of a network");

    // ANN2015 Unknown property
    /// <param name="owner">"train 'Net'", "gan 'G'"</param>
    public static Diagnostic UnknownProperty(TextSpan at, string owner, string property, string? near, IEnumerable<string> known) =>
        Make(DiagnosticCatalog.UnknownProperty, at,
            $"{owner} has no property '{property}'{DidYouMean(near)} (it takes {string.Join(", ", known)})",
            null, ChangeTo(at, near));

    // ANN2016 Missing property
    public static Diagnostic GanNeedsNetwork(TextSpan at, string gan, string role) =>
        Make(DiagnosticCatalog.MissingProperty, at, $"gan '{gan}' needs a {role}: {role}: NetworkName");

    public static Diagnostic TrainNeedsData(TextSpan at, string target) =>
        Make(DiagnosticCatalog.MissingProperty, at, $"train '{target}' needs data: for example data: fashion_mnist, or data: shapes (generated, needs no files)");

    // ANN2017 Duplicate property
    public static Diagnostic DuplicateProperty(TextSpan at, string property, TextSpan first) =>
        Make(DiagnosticCatalog.DuplicateProperty, at, $"'{property}' is given more than once", Related(first, "first given here"));

    // ANN2018 Duplicate train declaration
    /// <param name="runName">the name after 'as', or null when the declaration has none</param>
    public static Diagnostic DuplicateTrain(TextSpan at, string target, string? runName, TextSpan first) =>
        Make(DiagnosticCatalog.DuplicateTrain, at,
            runName is null
                ? $"'{target}' already has a train declaration; name this one: train {target} as other {{ … }}"
                : $"'{target} as {runName}' is already declared",
            Related(first, "the first one is here"));

    // ANN2019 Unknown loss
    /// <param name="loss">the loss this kind of training uses</param>
    /// <param name="trained">what is trained: "a classifier", "a gan", "a diffusion model"</param>
    public static Diagnostic WrongLoss(TextSpan at, string trained, string loss) =>
        Make(DiagnosticCatalog.UnknownLoss, at, $"{char.ToUpperInvariant(trained[0])}{trained[1..]} is trained with {loss}",
            null, ChangeTo(at, loss));

    public static Diagnostic UnknownLoss(TextSpan at, string got) =>
        Make(DiagnosticCatalog.UnknownLoss, at, $"Unknown loss {got}: use cross_entropy (classifiers), bce (gans) or mse (diffusion models)");

    // ANN2020 Unknown schedule
    public static Diagnostic UnknownSchedule(TextSpan at, string got, string? near, IReadOnlyList<string> known) =>
        Make(DiagnosticCatalog.UnknownSchedule, at, $"schedule expects {string.Join(", ", known.Take(known.Count - 1))} or {known[^1]}, but got {got}",
            null, ChangeTo(at, near));
}
