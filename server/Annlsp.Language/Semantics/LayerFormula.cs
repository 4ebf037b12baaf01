namespace Annlsp.Language.Semantics;

/// <summary>
/// The formula behind a layer's output shape or parameter count, as hover shows it
/// ("H' = ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28"). Derived on demand from the checker's results,
/// so analysis on every keystroke does no string formatting for it.
/// </summary>
public static class LayerFormula
{
    public static string? Describe(string kind, Shape input, Shape output, IReadOnlyDictionary<string, object> args)
    {
        if (kind == "residual") return "output = input + body(input)";
        if (!input.IsKnown || !output.IsKnown) return null;
        switch (kind)
        {
            case "conv" when args["padding"] is "same":
                return $"padding: same keeps H×W = {input[1]}×{input[2]}";
            case "conv":
            {
                var (k, s, p, d) = ((Pair)args["kernel"], (Pair)args["stride"], (Pair)args["padding"], (Pair)args["dilation"]);
                string h = $"H' = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊({input[1]} + 2·{p.H} − {d.H}·({k.H}−1) − 1)/{s.H}⌋ + 1 = {output[1]}";
                return input[1] == input[2] && k.H == k.W && s.H == s.W && p.H == p.W && d.H == d.W
                    ? $"{h}; W' = {output[2]}"
                    : $"{h}; W' = ⌊({input[2]} + 2·{p.W} − {d.W}·({k.W}−1) − 1)/{s.W}⌋ + 1 = {output[2]}";
            }
            case "deconv":
            {
                var (k, s, p, op, d) = ((Pair)args["kernel"], (Pair)args["stride"], (Pair)args["padding"], (Pair)args["output_padding"], (Pair)args["dilation"]);
                return $"H' = (H−1)s − 2p + d(k−1) + output_padding + 1 = ({input[1]}−1)·{s.H} − 2·{p.H} + {d.H}·({k.H}−1) + {op.H} + 1 = {output[1]}; W' = {output[2]}";
            }
            case "pool":
            {
                var (k, s, p) = ((Pair)args["size"], (Pair)args["stride"], (Pair)args["padding"]);
                string h = $"H' = ⌊(H + 2p − k)/s⌋ + 1 = ⌊({input[1]} + 2·{p.H} − {k.H})/{s.H}⌋ + 1 = {output[1]}";
                return input[1] == input[2] && k.H == k.W && s.H == s.W
                    ? $"{h}; W' = {output[2]}"
                    : $"{h}; W' = ⌊({input[2]} + 2·{p.W} − {k.W})/{s.W}⌋ + 1 = {output[2]}";
            }
            case "globalpool":
                return $"{input} → {input[0]} (one value per channel)";
            case "upsample":
            {
                var s = (Pair)args["scale"];
                return $"H' = {input[1]}·{s.H} = {output[1]}, W' = {input[2]}·{s.W} = {output[2]}";
            }
            case "flatten":
                return input.Rank > 1 ? $"{string.Join("·", input.Dims)} = {input.ElementCount}" : null;
            case "reshape":
                return $"{input} ({input.ElementCount:N0} elements) → {output}";
            case "dense":
            {
                long n = input[0], units = output[0];
                bool bias = (bool)args["bias"];
                return $"params = {n}·{units}{(bias ? $" + {units}" : "")} = {Counts.Add(Counts.Multiply(n, units), bias ? units : 0):N0}";
            }
            case "batchnorm":
                return $"params = 2·{input[0]} (scale and shift per {(input.IsImage ? "channel" : "feature")})";
            default:
                return null;
        }
    }
}
