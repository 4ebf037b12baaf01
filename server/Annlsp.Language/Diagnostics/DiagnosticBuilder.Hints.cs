using Annlsp.Language.Semantics;
using Annlsp.Language.Text;

namespace Annlsp.Language.Diagnostics;

/// <summary>Warnings and hints (ANN5xxx) and the internal error (ANN9999).</summary>
public static partial class DiagnosticBuilder
{
    // ANN5001 Pooling or a strided convolution drops rows or columns
    /// <param name="windowWord">"kernel" or "window"</param>
    public static Diagnostic PoolDropsPixels(TextSpan at, string layer, long droppedRows, long droppedColumns, long height, long width,
        string windowWord, Pair window, Pair stride, Pair padding, Pair dilation)
    {
        string rows = droppedRows == 0 ? "" : $"{droppedRows} row{(droppedRows == 1 ? "" : "s")}";
        string columns = droppedColumns == 0 ? "" : $"{droppedColumns} column{(droppedColumns == 1 ? "" : "s")}";
        string dropped = droppedRows != 0 && droppedColumns != 0 ? $"{rows} and {columns}" : rows + columns;
        string paddingText = padding.H == 0 && padding.W == 0 ? "" : $", padding {padding}";
        string dilationText = dilation.H == 1 && dilation.W == 1 ? "" : $", dilation {dilation}";
        return Make(DiagnosticCatalog.PoolDropsPixels, at,
            $"This {layer} drops the last {dropped} of its {height}×{width} input ({windowWord} {window}, stride {stride}{paddingText}{dilationText}); pad the input or change the {windowWord}");
    }

    // ANN5002 Generator does not end in tanh
    public static Diagnostic GeneratorNotTanh(TextSpan at, string generator, string lastLayer, TextSpan use, string gan) =>
        Make(DiagnosticCatalog.GeneratorNotTanh, at,
            $"The generator '{generator}' ends in {lastLayer}; DCGAN generators end in tanh so images fall in [−1, 1] like the training data",
            Related(use, $"used as the generator of '{gan}' here"),
            new CodeFix("Append -> tanh", [new TextEdit(new TextSpan(at.End, 0), " -> tanh")]));

    // ANN5003 Two activations in a row
    public static Diagnostic DoubleActivation(TextSpan at, string activation, string previous) =>
        Make(DiagnosticCatalog.DoubleActivation, at, $"{activation} directly follows {previous}: two activations in a row are rarely intended");

    // ANN5004 Dense layers without an activation between them
    public static Diagnostic DenseWithoutActivation(TextSpan at) =>
        Make(DiagnosticCatalog.DenseWithoutActivation, at,
            "This dense follows another dense with no activation between them: two linear layers collapse into one; insert relu",
            null, new CodeFix("Insert relu before this dense", [new TextEdit(new TextSpan(at.Start, 0), "relu -> ")]));

    // ANN5005 Network is not used by any train or gan
    public static Diagnostic UnusedNetwork(TextSpan at, string network) =>
        Make(DiagnosticCatalog.UnusedNetwork, at, $"Network '{network}' is not used by any train or gan");

    // ANN5006 Very large parameter count
    public static Diagnostic LargeModel(TextSpan at, string network, long parameters) =>
        Make(DiagnosticCatalog.LargeModel, at, $"Network '{network}' has {parameters:N0} parameters; training it here will be slow and may not fit in memory");

    // ANN5007 Block is never used
    public static Diagnostic UnusedBlock(TextSpan at, string block) =>
        Make(DiagnosticCatalog.UnusedBlock, at, $"Block '{block}' is never used");

    // ANN5008 Document too large for every editor feature
    /// <param name="analysisLimit">the size past which the document is not analysed, when it is past it too</param>
    public static Diagnostic DocumentTooLarge(string size, string largeLimit, string? analysisLimit) =>
        Make(DiagnosticCatalog.DocumentTooLarge, new TextSpan(0, 0),
            $"This document is {size}: over {largeLimit} there is no outline, semantic highlighting, folding, inlay hints, code lenses or formatting" +
            (analysisLimit is null ? "" : $"; over {analysisLimit} it is not analysed (no diagnostics, hover, completion or navigation)"));

    // ANN9999 Internal error
    public static Diagnostic InternalError(Exception e) =>
        Make(DiagnosticCatalog.InternalError, new TextSpan(0, 0), $"Internal error in the checker ({e.GetType().Name}: {e.Message}); please report this file");
}
