using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Graphs: tensor names (ANN2021–2027), merges and shortcuts (ANN3020–3022), unused names (ANN5009).</summary>
public static partial class DiagnosticBuilder
{
    private static string OnLine(int line) => line > 0 ? $" on line {line}" : "";

    // ANN2021 Unknown tensor name
    /// <param name="otherKind">"layer", "block" or "network" when the name is one of those, else null</param>
    /// <param name="nearAt">where the suggested name is defined, or null</param>
    /// <param name="scopeAt">the network or block whose names were searched</param>
    public static Diagnostic UnknownTensorName(TextSpan at, string name, string? near, TextSpan? nearAt, string? otherKind, bool inBlock, TextSpan scopeAt) =>
        Make(DiagnosticCatalog.UnknownTensor, at,
            otherKind is not null
                ? $"'{name}' is a {otherKind}, not a tensor: merge with a name given by `as` (`conv(8) as {name}1`), or start a chain at one"
                : near is not null ? $"No tensor named '{name}' here{DidYouMean(near)}"
                : $"No tensor named '{name}' here{(inBlock ? " (a block sees only its parameters and time; pass the tensor as an argument)" : "; name one with `as`")}",
            near is not null && nearAt is { } defined ? Related(defined, $"'{near}' is defined here")
                : Related(scopeAt, inBlock ? "the names of this block: its parameters and time" : "the names of this network are defined with `as`"),
            ChangeTo(at, near));

    // ANN2022 Duplicate tensor name
    public static Diagnostic DuplicateTensorName(TextSpan at, string name, TextSpan first, int firstLine) =>
        Make(DiagnosticCatalog.DuplicateTensor, at, $"A tensor named '{name}' is already defined{OnLine(firstLine)}; choose another name",
            Related(first, $"'{name}' is first defined here"));

    public static Diagnostic TensorNamedAsParameter(TextSpan at, string name, string block, TextSpan parameter) =>
        Make(DiagnosticCatalog.DuplicateTensor, at, $"'{name}' is already a parameter of block '{block}'; tensor names and parameters share one namespace",
            Related(parameter, $"parameter '{name}'"));

    public static Diagnostic TensorNamedTime(TextSpan at) =>
        Make(DiagnosticCatalog.DuplicateTensor, at, "'time' is the built-in name of a denoiser's time step; choose another name",
            Related(at, "time is visible in every body"));

    // ANN2023 Tensor name used before it is defined
    public static Diagnostic TensorUsedBeforeDefinition(TextSpan at, string name, TextSpan definedAt, int line) =>
        Make(DiagnosticCatalog.TensorUsedBeforeDefinition, at,
            $"'{name}' is used before it is defined{OnLine(line)}: a name refers to a tensor computed earlier",
            Related(definedAt, $"'{name}' is defined here, later"));

    // ANN2024 Tensor given where a value is expected
    public static Diagnostic TensorWhereValueExpected(TextSpan at, string callee, ParameterInfo parameter, string name, Shape shape, TextSpan definedAt) =>
        Make(DiagnosticCatalog.TensorWhereValueExpected, at,
            $"{callee}'s '{parameter.Name}' expects {ExpectedValue(parameter)}, but '{name}' is a tensor ({shape})",
            Related(definedAt, $"'{name}' is defined here"));

    // ANN2025 Value given where a tensor is expected
    public static Diagnostic ValueWhereTensorExpected(TextSpan at, string parameter, string value, TextSpan given) =>
        Make(DiagnosticCatalog.ValueWhereTensorExpected, at,
            $"'{parameter}' is merged as a tensor, but the block was given {value}; pass a name defined with `as`",
            Related(given, $"{value} is given here"));

    // ANN2026 time outside a diffusion denoiser
    /// <param name="block">the outermost block being expanded when time was met, or null</param>
    public static Diagnostic TimeOutsideDenoiser(TextSpan at, string network, string? block, TextSpan networkName) =>
        Make(DiagnosticCatalog.TimeOutsideDenoiser, at,
            $"time is the step of a diffusion denoiser, but '{network}' is not the denoiser of any diffusion{(block is null ? "" : $" (time is used in block '{block}')")}",
            Related(networkName, $"'{network}' is not a diffusion's denoiser"));

    // ANN2027 Merge without tensors
    public static Diagnostic MergeWithoutTensors(TextSpan at, string merge) =>
        Make(DiagnosticCatalog.MergeWithoutTensors, at,
            $"{merge} needs at least one tensor to merge with the running one, such as {merge}(e1)");

    // ANN3020 concat inputs differ in height and width
    public static Diagnostic ConcatMismatch(TextSpan at, Shape here, string name, Shape other, TextSpan definedAt, HalvingAdvice? advice)
    {
        string what = here.Rank != other.Rank ? "the same kind of tensor" : here.Rank == 3 ? "the same height and width" : "the same size after the channels";
        string message = $"concat needs {what}: {here} here, {name} is {other}";
        if (advice is not null)
            message += advice.Pad is int pad
                ? $"; {advice.Size} does not halve {advice.Halvings} times; pad the input to {advice.Target} (`pad({pad})`)"
                : $"; {advice.Size} does not halve {advice.Halvings} times; an input of {advice.Target} would (an odd size cannot be padded evenly: crop or resize the data)";
        var fixes = advice is { InsertAt: int insertAt, Pad: not null }
            ? new[] { new CodeFix($"Pad the input to {advice.Target} (insert pad({advice.Pad}))", [new TextEdit(new TextSpan(insertAt, 0), $" -> pad({advice.Pad})")]) }
            : [];
        return Make(DiagnosticCatalog.ConcatMismatch, at, message, Related(definedAt, $"{name} is {other}, defined here"), fixes);
    }

    // ANN3021 add inputs differ in shape
    public static Diagnostic AddMismatch(TextSpan at, Shape here, string name, Shape other, TextSpan definedAt) =>
        Make(DiagnosticCatalog.AddMismatch, at,
            $"add needs equal shapes (or a C vector added to every pixel of C×H×W): {here} here, {name} is {other}",
            Related(definedAt, $"{name} is {other}, defined here"));

    // ANN3022 Shortcut does not end in the body's shape
    public static Diagnostic ShortcutShapeMismatch(TextSpan at, Shape body, Shape shortcut, TextSpan bodyEnd, TextSpan shortcutEnd) =>
        Make(DiagnosticCatalog.ShortcutMismatch, at,
            $"The residual body ends in {body} but its shortcut in {shortcut}; both must end in the same shape to be added",
            [new RelatedLocation(bodyEnd, $"the body ends in {body} here"), new RelatedLocation(shortcutEnd, $"the shortcut ends in {shortcut} here")]);

    // ANN5009 Tensor name is never used
    /// <param name="removal">`as NAME` with the spaces before it</param>
    public static Diagnostic UnusedTensorName(TextSpan at, string name, TextSpan removal) =>
        Make(DiagnosticCatalog.UnusedTensor, at, $"The tensor name '{name}' is never used; merge it with concat or add, or remove `as {name}`",
            null, new CodeFix($"Remove 'as {name}'", [new TextEdit(removal, "")]));
}
