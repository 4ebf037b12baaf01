using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Shapes (ANN3xxx).</summary>
public static partial class DiagnosticBuilder
{
    // ANN3001 dense expects a vector
    /// <param name="insertAt">where flatten goes (the start of the layer)</param>
    /// <param name="separator">what follows the inserted flatten: an arrow or a new line</param>
    public static Diagnostic DenseOnImage(TextSpan at, string layer, Shape input, TextSpan insertAt, string separator) =>
        Make(DiagnosticCatalog.DenseOnImage, at, $"{layer} expects a vector but receives {input}; insert flatten before it",
            null, new CodeFix($"Insert flatten before {layer}", [new TextEdit(insertAt, "flatten" + separator)]));

    // ANN3002 Layer expects an image (C×H×W)
    /// <param name="reshape">the reshape(…) that makes the vector an image, or null when none does</param>
    public static Diagnostic ImageLayerOnVector(TextSpan at, string layer, Shape input, string? reshape, TextSpan insertAt, string separator) =>
        Make(DiagnosticCatalog.ImageLayerOnVector, at,
            $"{layer} expects C×H×W but receives {input}{(reshape is null ? "" : $"; insert {reshape} to make an image")}",
            null, reshape is null ? [] : [new CodeFix($"Insert {reshape} before {layer}", [new TextEdit(insertAt, reshape + separator)])]);

    // ANN3003 Window larger than the padded input
    public static Diagnostic PoolWindowTooLarge(TextSpan at, string layer, string axis, long size, long window, int padding) =>
        Make(DiagnosticCatalog.WindowTooLarge, at,
            $"After this {layer} the {axis} would be 0 (input {size}, window {window}{(padding > 0 ? $", padding {padding}" : "")})");

    /// <param name="addPaddingAt">where ", padding: N" goes, or null when no padding fix applies</param>
    public static Diagnostic KernelTooLarge(TextSpan at, string windowWord, string axis, long size, long extent, int dilation, int padding,
        long padded, TextSpan? addPaddingAt, long neededPadding) =>
        Make(DiagnosticCatalog.WindowTooLarge, at,
            $"The {windowWord} ({extent}{(dilation > 1 ? $" with dilation {dilation}" : "")}) is larger than the padded input {axis} {padded} (input {size}, padding {padding})",
            null, addPaddingAt is { } insert ? [new CodeFix($"Add padding: {neededPadding}", [new TextEdit(insert, $", padding: {neededPadding}")])] : []);

    // ANN3004 Spatial size falls to zero or below
    public static Diagnostic SizeNotPositive(TextSpan at, string layer, string axis, long output) =>
        Make(DiagnosticCatalog.SizeNotPositive, at, $"After this {layer} the {axis} would be {output}");

    public static Diagnostic DeconvSizeNotPositive(TextSpan at, string axis, long output, long input, int padding) =>
        Make(DiagnosticCatalog.SizeNotPositive, at, $"After this deconv the {axis} would be {output} (input {input}, padding {padding}); reduce the padding");

    // ANN3005 reshape element count mismatch
    public static Diagnostic ReshapeMismatch(TextSpan at, Shape target, Shape input) =>
        Make(DiagnosticCatalog.ReshapeMismatch, at,
            $"reshape to {target} needs {target.ElementCount:N0} elements, but its input {input} has {input.ElementCount:N0}");

    // ANN3006 residual body changes the shape
    /// <param name="bodyEnd">the body's last layer, or null when the body is empty</param>
    public static Diagnostic ResidualShapeChange(TextSpan at, Shape from, Shape to, TextSpan? bodyEnd) =>
        Make(DiagnosticCatalog.ResidualShapeChange, at,
            $"The residual body changes the shape from {from} to {to}; it must end in the shape it started with so the input can be added",
            bodyEnd is { } end ? Related(end, $"the body ends in {to} here") : null);

    // ANN3007 padding: same with stride > 1
    /// <param name="padding">the number that keeps the size, with the span it replaces, or null when none does</param>
    public static Diagnostic SamePaddingWithStride(TextSpan at, Pair stride, (TextSpan Span, int Value)? padding) =>
        Make(DiagnosticCatalog.SamePaddingWithStride, at,
            $"padding: same needs stride 1 (PyTorch refuses it with stride {stride}); give padding as a number instead",
            null, padding is { } p ? [new CodeFix($"Change to padding: {p.Value}", [new TextEdit(p.Span, p.Value.ToString())])] : []);

    // ANN3008 Generator output does not fit the discriminator
    public static Diagnostic GanShapeMismatch(TextSpan at, string generator, Shape output, TextSpan generatorOutput,
        string discriminator, Shape input, TextSpan discriminatorInput) =>
        Make(DiagnosticCatalog.GanShapeMismatch, at,
            $"The generator '{generator}' outputs {output}, but the discriminator '{discriminator}' expects {input}",
            [
                new RelatedLocation(generatorOutput, $"'{generator}' outputs {output} here"),
                new RelatedLocation(discriminatorInput, $"'{discriminator}' expects {input} here"),
            ]);

    // ANN3009 Discriminator must output one logit
    /// <param name="flatten">appends flatten when the output is one value in an image, else null</param>
    public static Diagnostic DiscriminatorOutput(TextSpan at, string discriminator, Shape output, TextSpan outputSpan, CodeFix? flatten)
    {
        // One value in an image (1×1×1) needs only flattening; dense(1) on it would be ANN3001.
        string advice = output.ElementCount == 1 ? "end it with flatten" : output.IsVector ? "end it with dense(1)" : "end it with flatten and dense(1)";
        return Make(DiagnosticCatalog.DiscriminatorOutput, at,
            $"The discriminator '{discriminator}' outputs {output}, but it must output one logit (1); {advice}",
            Related(outputSpan, $"'{discriminator}' outputs {output} here"),
            flatten is null ? [] : [flatten]);
    }

    /// <summary>The fix for ANN3009: flatten after the layer that ends the discriminator.</summary>
    public static CodeFix AppendFlatten(int after) => new("Insert flatten", [new TextEdit(new TextSpan(after, 0), " -> flatten")]);

    // ANN3010 Generator input must be a vector
    public static Diagnostic GeneratorInput(TextSpan at, string generator, Shape input, TextSpan inputSpan) =>
        Make(DiagnosticCatalog.GeneratorInput, at,
            $"The generator '{generator}' takes {input}, but a generator's input must be a latent vector such as input(100), or an image C×H×W to translate (pix2pix)",
            Related(inputSpan, $"'{generator}' takes {input} here"));

    // ANN3011 Data set shape does not fit the network input
    public static Diagnostic DataShapeMismatch(TextSpan at, string data, Shape shape, string network, Shape input, TextSpan inputSpan) =>
        Make(DiagnosticCatalog.DataShapeMismatch, at, $"{data} gives {shape}, {network} expects {input}",
            Related(inputSpan, $"{network} expects {input} here"));

    /// <param name="network">the network whose input the gan's images are (the discriminator, else the generator)</param>
    public static Diagnostic GanDataShapeMismatch(TextSpan at, string data, Shape shape, string gan, Shape expected, string network, TextSpan inputSpan) =>
        Make(DiagnosticCatalog.DataShapeMismatch, at, $"{data} gives {shape}, but the gan '{gan}' works on {expected}",
            Related(inputSpan, $"{network} expects {expected} here"));

    // ANN3012 Class count does not match the classifier output
    public static Diagnostic ClassCountMismatch(TextSpan at, string data, int classes, string network, Shape output, TextSpan outputSpan) =>
        Make(DiagnosticCatalog.ClassCountMismatch, at, $"{data} has {classes} classes, {network} outputs {output[0]}",
            Related(outputSpan, $"{network} outputs {output} here"));

    // ANN3013 Tensor too large
    public static Diagnostic InputTooLarge(TextSpan at, Shape input) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at, $"The input {input} has {input.ElementCount:N0} elements per example; that is too large to train");

    public static Diagnostic OutputTooLarge(TextSpan at, Shape output) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at, $"The output {output} has {output.ElementCount:N0} elements per example; that is too large to train");

    /// <param name="parameters">true when the parameter count overflows, false for the mult-adds</param>
    public static Diagnostic NetworkCountOverflow(TextSpan at, string network, bool parameters) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at,
            $"Network '{network}' has more {(parameters ? "parameters" : "mult-adds")} in all than a 64-bit count holds (over {long.MaxValue:N0}); that is too large to train");

    /// <inheritdoc cref="NetworkCountOverflow"/>
    public static Diagnostic LayerCountOverflow(TextSpan at, string layer, bool parameters) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at,
            $"This {layer} has more {(parameters ? "parameters" : "mult-adds")} than a 64-bit count holds (over {long.MaxValue:N0}); that is too large to train");

    public static Diagnostic ExpandsTooFar(TextSpan at, int maxLayers, string block) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at,
            $"This network expands to more than {maxLayers:N0} layers (block '{block}' is used inside blocks that repeat it); that is too large to check or train");

    public static Diagnostic ProductOverflow(TextSpan at, long a, long b) =>
        Make(DiagnosticCatalog.ShapeTooLarge, at, $"{a} * {b} does not fit in a 64-bit integer");

    // ANN3014 Pool padding larger than half the window
    public static Diagnostic BadPoolPadding(TextSpan at, Pair padding, Pair window) =>
        Make(DiagnosticCatalog.BadPoolPadding, at, $"pool padding {padding} must be at most half the window {window} (PyTorch refuses larger padding)");

    // ANN3015 Classifier output must be a vector
    /// <param name="classes">the data set's class count, 0 when it is learnt at training time (images)</param>
    public static Diagnostic ClassifierOutputNotVector(TextSpan at, string data, int classes, string network, Shape output, TextSpan outputSpan) =>
        Make(DiagnosticCatalog.ClassifierOutputNotVector, at,
            $"A classifier must output one score per class{(classes > 0 ? $" ({classes} for {data})" : "")}, but {network} outputs {output}; end it with flatten and dense({(classes > 0 ? classes.ToString() : "number of classes")})",
            Related(outputSpan, $"{network} outputs {output} here"));

    // ANN3016 Shape with a zero dimension
    public static Diagnostic ZeroDimension(TextSpan at, string callee, string parameter, string shape) =>
        Make(DiagnosticCatalog.ZeroDimension, at, $"{callee}'s '{parameter}' {shape} has a zero dimension; every dimension must be at least 1");

    // ANN3017 output_padding not smaller than the stride or dilation
    public static Diagnostic OutputPaddingTooLarge(TextSpan at, Pair outputPadding, Pair stride, Pair dilation) =>
        Make(DiagnosticCatalog.OutputPaddingTooLarge, at, $"output_padding {outputPadding} must be smaller than the stride {stride} or the dilation {dilation}");

    // ANN3018 Channels not divisible by groups
    /// <param name="fit">the largest groups that divides both</param>
    /// <param name="number">the groups number as written, which the fix replaces; null when it is not written there (a block's parameter)</param>
    public static Diagnostic ConvGroupsDoNotDivide(TextSpan at, int groups, long channels, int filters, long fit, TextSpan? number)
    {
        bool channelsFit = channels % groups == 0, filtersFit = filters % groups == 0;
        string which = !channelsFit && !filtersFit ? $"its {channels} input channels and {filters} filters are not"
            : !channelsFit ? $"its {channels} input channels are not" : $"its {filters} filters are not";
        return Make(DiagnosticCatalog.GroupsDoNotDivide, at,
            $"conv with groups: {groups} needs input channels and filters divisible by {groups}, but {which}; {fit} divides both",
            null, ChangeGroups(number, fit));
    }

    /// <param name="fit">the largest divisor of the channels below groups</param>
    /// <inheritdoc cref="ConvGroupsDoNotDivide"/>
    public static Diagnostic GroupNormGroupsDoNotDivide(TextSpan at, int groups, Shape input, long fit, TextSpan? number) =>
        Make(DiagnosticCatalog.GroupsDoNotDivide, at,
            $"groupnorm with groups: {groups} needs the channels divisible by {groups}, but the input {input} has {input[0]}; {fit} divides them",
            null, ChangeGroups(number, fit));

    private static CodeFix[] ChangeGroups(TextSpan? number, long fit) =>
        number is { } span ? [new CodeFix($"Change to groups: {fit}", [new TextEdit(span, fit.ToString(System.Globalization.CultureInfo.InvariantCulture))])] : [];

    // ANN3019 One value per channel to normalise
    public static Diagnostic OnePixelPerChannel(TextSpan at, Shape input) =>
        Make(DiagnosticCatalog.TooFewValuesToNormalise, at,
            $"instancenorm normalises each channel over its pixels, but its input {input} has one pixel per channel (PyTorch refuses it); normalise before the image shrinks to 1×1, or use batchnorm");
}
