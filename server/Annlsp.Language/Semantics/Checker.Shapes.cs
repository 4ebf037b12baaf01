using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

internal sealed partial class Checker
{
    private readonly record struct Inferred(Shape Output, long Parameters = 0, long MultiplyAdds = 0);

    private static long Mul(long a, long b) => Counts.Multiply(a, b);
    private static long Mul(long a, long b, long c) => Counts.Multiply(a, b, c);
    private static long Mul(long a, long b, long c, long d) => Counts.Multiply(a, b, c, d);
    private static long Mul(params long[] xs) => Counts.Multiply(xs);

    /// <summary>Output shape, parameter count and multiply–adds of one built-in layer, as PyTorch defines them.</summary>
    private Inferred Infer(LayerInfo info, ArgumentValues args, Shape input, LayerSyntax layer)
    {
        if (!input.IsKnown) return new Inferred(Shape.Unknown);
        var at = layer.Name.Span;
        switch (info.Needs)
        {
            case InputKind.Image:
                if (!RequireImage(info.Name, input, layer)) return new Inferred(Shape.Unknown);
                break;
            case InputKind.Vector:
                if (!input.IsVector)
                {
                    _diagnostics.Add(DenseOnImage(at, info.Name, input, new TextSpan(layer.Span.Start, 0), LayerSeparator(layer)));
                    return new Inferred(Shape.Unknown);
                }
                break;
        }

        switch (info.Name)
        {
            case "conv": return Conv(args, input, layer);
            case "deconv": return Deconv(args, input, layer);
            case "pool": return Pool(args, input, layer);
            case "globalpool": return new Inferred(Shape.Vector(input[0]));
            case "upsample":
            {
                var s = (Pair)args["scale"];
                var output = Shape.Image(input[0], input[1] * s.H, input[2] * s.W);
                return CheckSize(output, layer) ? new Inferred(output) : new Inferred(Shape.Unknown);
            }
            case "flatten":
                if (!CheckSize(input, layer)) return new Inferred(Shape.Unknown);
                return new Inferred(Shape.Vector(input.ElementCount));
            case "reshape":
            {
                var target = (Shape)args["shape"];
                if (target.Rank is not (>= 1 and <= 3))
                {
                    _diagnostics.Add(WrongShapeRank(layer.Arguments?.Span ?? at, "reshape", target));
                    return new Inferred(Shape.Unknown);
                }
                if (target.ElementCount != input.ElementCount)
                {
                    _diagnostics.Add(ReshapeMismatch(layer.Arguments?.Span ?? at, target, input));
                    return new Inferred(Shape.Unknown);
                }
                return new Inferred(target);
            }
            case "dense":
            {
                int units = (int)args["units"];
                bool bias = (bool)args["bias"];
                long n = input[0];
                return new Inferred(Shape.Vector(units), Counts.Add(Mul(n, units), bias ? units : 0), Mul(n, units));
            }
            case "batchnorm":
            {
                long c = input[0];
                return new Inferred(input, Mul(2, c), 0);
            }
            default:
                return new Inferred(input); // activations, dropout, softmax: shape unchanged
        }
    }

    /// <summary>What separates the inserted layer from the next: an arrow when the layer follows one on its line.</summary>
    private static string LayerSeparator(LayerSyntax layer)
    {
        var token = layer.Name;
        return token.StartsLine || layer.Parent is not StackBodySyntax ? "\n" + Indentation(token) : " -> ";
    }

    private static string Indentation(SyntaxToken token)
    {
        var trivia = token.LeadingTrivia;
        return trivia.Count > 0 && trivia[^1].Kind == SyntaxKind.Whitespace ? trivia[^1].Text : "";
    }

    private bool RequireImage(string layerName, Shape input, LayerSyntax layer)
    {
        if (input.IsImage) return true;
        var image = input.IsVector ? SuggestImage(input[0]) : null;
        string? reshape = image is null ? null : $"reshape({image.Dims[0]}x{image.Dims[1]}x{image.Dims[2]})";
        _diagnostics.Add(ImageLayerOnVector(layer.Name.Span, layerName, input, reshape, new TextSpan(layer.Span.Start, 0), LayerSeparator(layer)));
        return false;
    }

    /// <summary>A C×S×S image with N elements and the largest square S×S (N = 400 → 16×5×5).</summary>
    internal static Shape? SuggestImage(long n)
    {
        for (long s = (long)Math.Sqrt(n); s >= 2; s--)
            if (n % (s * s) == 0) return Shape.Image(n / (s * s), s, s);
        return null;
    }

    private bool CheckSize(Shape output, LayerSyntax layer)
    {
        if (output.ElementCount > int.MaxValue * 16L)
        {
            _diagnostics.Add(OutputTooLarge(layer.Name.Span, output));
            return false;
        }
        return true;
    }

    private Inferred Conv(ArgumentValues args, Shape input, LayerSyntax layer)
    {
        int filters = (int)args["filters"];
        var k = (Pair)args["kernel"];
        var s = (Pair)args["stride"];
        var d = (Pair)args["dilation"];
        bool bias = (bool)args["bias"];
        long c = input[0], h = input[1], w = input[2];
        long outH, outW;
        if (args["padding"] is "same")
        {
            if (s.H != 1 || s.W != 1)
            {
                _diagnostics.Add(SamePaddingWithStride(ArgumentSpan(layer, "padding") ?? layer.Name.Span, s, SizeKeepingPadding(layer, k, d)));
                return new Inferred(Shape.Unknown);
            }
            outH = h; outW = w;
        }
        else
        {
            var p = (Pair)args["padding"];
            var hr = ConvAxis("height", h, k.H, s.H, p.H, d.H, layer, "kernel", false);
            if (hr is null) return new Inferred(Shape.Unknown);
            var wr = ConvAxis("width", w, k.W, s.W, p.W, d.W, layer, "kernel", false);
            if (wr is null) return new Inferred(Shape.Unknown);
            outH = hr.Value; outW = wr.Value;
            WarnOnDroppedRows(layer, "kernel", h, w, k, s, p, d);
        }
        var output = Shape.Image(filters, outH, outW);
        if (!CheckSize(output, layer)) return new Inferred(Shape.Unknown);
        long weights = Mul(filters, c, k.H, k.W);
        return new Inferred(output, Counts.Add(weights, bias ? filters : 0), Mul(filters, outH, outW, c, k.H, k.W));
    }

    private Inferred Deconv(ArgumentValues args, Shape input, LayerSyntax layer)
    {
        int filters = (int)args["filters"];
        var k = (Pair)args["kernel"];
        var s = (Pair)args["stride"];
        var p = (Pair)args["padding"];
        var op = (Pair)args["output_padding"];
        var d = (Pair)args["dilation"];
        bool bias = (bool)args["bias"];
        if (op.H >= Math.Max(s.H, d.H) || op.W >= Math.Max(s.W, d.W))
        {
            _diagnostics.Add(OutputPaddingTooLarge(ArgumentSpan(layer, "output_padding") ?? layer.Name.Span, op, s, d));
            return new Inferred(Shape.Unknown);
        }
        long c = input[0], h = input[1], w = input[2];
        long outH = (h - 1) * s.H - 2L * p.H + (long)d.H * (k.H - 1) + op.H + 1;
        long outW = (w - 1) * s.W - 2L * p.W + (long)d.W * (k.W - 1) + op.W + 1;
        if (outH <= 0 || outW <= 0)
        {
            bool height = outH <= 0;
            _diagnostics.Add(DeconvSizeNotPositive(layer.Name.Span, height ? "height" : "width", height ? outH : outW, height ? h : w, height ? p.H : p.W));
            return new Inferred(Shape.Unknown);
        }
        var output = Shape.Image(filters, outH, outW);
        if (!CheckSize(output, layer)) return new Inferred(Shape.Unknown);
        return new Inferred(output, Counts.Add(Mul(c, filters, k.H, k.W), bias ? filters : 0), Mul(c, h, w, filters, k.H, k.W));
    }

    private Inferred Pool(ArgumentValues args, Shape input, LayerSyntax layer)
    {
        var k = (Pair)args["size"];
        var s = (Pair)args["stride"];
        var p = (Pair)args["padding"];
        if (p.H * 2 > k.H || p.W * 2 > k.W)
        {
            _diagnostics.Add(BadPoolPadding(ArgumentSpan(layer, "padding") ?? layer.Name.Span, p, k));
            return new Inferred(Shape.Unknown);
        }
        long c = input[0], h = input[1], w = input[2];
        var hr = ConvAxis("height", h, k.H, s.H, p.H, 1, layer, "window", true);
        if (hr is null) return new Inferred(Shape.Unknown);
        var wr = ConvAxis("width", w, k.W, s.W, p.W, 1, layer, "window", true);
        if (wr is null) return new Inferred(Shape.Unknown);
        WarnOnDroppedRows(layer, "window", h, w, k, s, p, new Pair(1, 1));
        var output = Shape.Image(c, hr.Value, wr.Value);
        return new Inferred(output);
    }

    /// <summary>ANN5001 when the last windows end before the input does, so its last rows or columns are never read.</summary>
    private void WarnOnDroppedRows(LayerSyntax layer, string windowWord, long h, long w, Pair k, Pair s, Pair p, Pair d)
    {
        long dropH = SlidingWindow.DroppedRows(h, k.H, s.H, p.H, d.H), dropW = SlidingWindow.DroppedRows(w, k.W, s.W, p.W, d.W);
        if (dropH == 0 && dropW == 0) return;
        _diagnostics.Add(PoolDropsPixels(layer.Name.Span, layer.Name.Text, dropH, dropW, h, w, windowWord, k, s, p, d));
    }

    /// <summary>One spatial axis of a convolution or pooling; reports a window larger than the padded input.</summary>
    private long? ConvAxis(string axis, long size, int k, int s, int p, int d, LayerSyntax layer, string windowWord, bool isPool)
    {
        long effective = SlidingWindow.Extent(k, d);
        long padded = size + 2L * p;
        string layerName = layer.Name.Text;
        if (padded < effective)
        {
            if (isPool)
            {
                _diagnostics.Add(PoolWindowTooLarge(layer.Name.Span, layerName, axis, size, effective, p));
                return null;
            }
            TextSpan? addPaddingAt = ArgumentSpan(layer, "padding") is null && layer.Arguments is { } list
                ? new TextSpan(list.CloseParen.IsMissing ? list.Span.End : list.CloseParen.Span.Start, 0)
                : null;
            _diagnostics.Add(KernelTooLarge(layer.Name.Span, windowWord, axis, size, effective, d, p, padded, addPaddingAt, (effective - size + 1) / 2));
            return null;
        }
        long output = SlidingWindow.Output(size, k, s, p, d);
        if (output <= 0)
        {
            _diagnostics.Add(SizeNotPositive(layer.Name.Span, layerName, axis, output));
            return null;
        }
        return output;
    }

    private static TextSpan? ArgumentSpan(LayerSyntax layer, string name) =>
        layer.Arguments?.Arguments.FirstOrDefault(a => a.Name?.Text == name)?.Value.Span;

    /// <summary>The number that pads like 'same' for a square kernel, with the span of the 'same' it replaces.</summary>
    private static (TextSpan Span, int Value)? SizeKeepingPadding(LayerSyntax layer, Pair k, Pair d)
    {
        var span = ArgumentSpan(layer, "padding");
        if (span is null || k.H != k.W || d.H != d.W || (d.H * (k.H - 1)) % 2 != 0) return null;
        return (span.Value, d.H * (k.H - 1) / 2);
    }
}
