using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Training values (ANN4xxx).</summary>
public static partial class DiagnosticBuilder
{
    // ANN4001 Value out of range
    /// <param name="range">the parameter's bounds: "≥ 0 and &lt; 1"</param>
    public static Diagnostic ArgumentOutOfRange(TextSpan at, string callee, string parameter, string range, string got) =>
        Make(DiagnosticCatalog.OutOfRange, at, $"{callee}'s '{parameter}' must be {range}, but is {got}");

    public static Diagnostic ArgumentAboveIntMax(TextSpan at, string callee, string parameter, long value) =>
        Make(DiagnosticCatalog.OutOfRange, at, $"{callee}'s '{parameter}' must be at most {int.MaxValue:N0}, but is {value:N0}");

    public static Diagnostic PropertyBelowMinimum(TextSpan at, string property, int min, long value) =>
        Make(DiagnosticCatalog.OutOfRange, at, $"{property} must be at least {min}, but is {value}");

    public static Diagnostic LabelSmoothingOutOfRange(TextSpan at, string got) =>
        Make(DiagnosticCatalog.OutOfRange, at, $"label_smoothing must be ≥ 0 and < 1 (such as 0.1), but is {got}");

    public static Diagnostic RandomShiftTooLarge(TextSpan at, int shift, long height, long width) =>
        Make(DiagnosticCatalog.OutOfRange, at, $"random_shift must be less than the images' height and width ({height}×{width}): a shift of {shift} can move an image out of the frame; 2 is usual for 28×28");

    // ANN4002 Run folder outside the workspace
    public static Diagnostic OutPathOutsideWorkspace(TextSpan at, string path) =>
        Make(DiagnosticCatalog.OutPathOutsideWorkspace, at, $"The run folder \"{path}\" leaves the workspace; use a relative path inside it such as \"runs/mine\"");

    // ANN4003 Unknown device
    public static Diagnostic UnknownDevice(TextSpan at, string got) =>
        Make(DiagnosticCatalog.UnknownDevice, at, $"Unknown device {got}: use auto, cpu, cuda or cuda:N");

    // ANN4004 Invalid preview grid
    public static Diagnostic BadPreviewGrid(TextSpan at, string got) =>
        Make(DiagnosticCatalog.BadPreviewGrid, at, $"preview expects a grid RxC such as 8x8 (at most 32x32), but got {got}");

    // ANN4005 Invalid validation split
    public static Diagnostic BadValidationSplit(TextSpan at, string got) =>
        Make(DiagnosticCatalog.BadValidationSplit, at, $"validate expects a fraction between 0 and 1 (such as 0.1) or test, but got {got}");

    // ANN4006 One sample cannot be scored
    public static Diagnostic TooFewScoreSamples(TextSpan at) =>
        Make(DiagnosticCatalog.TooFewScoreSamples, at, "score_samples must be 0 (no scoring) or at least 2: a covariance needs two samples");

    // ANN4007 Unsupported channel count
    /// <param name="dataSet">images or pairs</param>
    public static Diagnostic UnsupportedChannels(TextSpan at, int channels, string dataSet = "images") =>
        Make(DiagnosticCatalog.UnsupportedChannels, at, $"{dataSet}' channels must be 1 or 3, but is {channels}");

    // ANN5017 minibatchstd outside a discriminator
    public static Diagnostic BatchStatisticOutsideDiscriminator(TextSpan at, string network, string role, TextSpan use) =>
        Make(DiagnosticCatalog.BatchStatisticOutsideDiscriminator, at,
            $"minibatchstd compares each example with the others in its batch, but '{network}' is {role}: what it outputs for one example would depend on the batch it comes in (alone, the added channel is 0); use minibatchstd in a gan's discriminator",
            Related(use, $"'{network}' is used here"));
}
