using System.Globalization;
using System.Text;

namespace Annlsp.Language.Semantics;

/// <summary>The hover of a `diffusion` declaration: its denoiser and the schedule's key facts.</summary>
public static class DiffusionSummary
{
    public static string ToMarkdown(DiffusionModel d)
    {
        var s = d.Schedule;
        var sb = new StringBuilder();
        sb.Append("```ann\ndiffusion ").Append(d.Name).Append("\n```\n");
        var denoiser = d.Denoiser;
        sb.Append("denoiser **").Append(denoiser?.Name ?? "?").Append("** `")
          .Append(denoiser?.Input.ToString() ?? "?").Append(" + time(").Append(d.TimeEmbedding).Append(") → ")
          .Append(denoiser?.Output.ToString() ?? "?").Append("`\n\n");
        string schedule = s.Kind == "cosine"
            ? "cosine (Nichol & Dhariwal 2021)"
            : $"linear β {F(s.BetaStart)} → {F(s.BetaEnd)} (Ho et al. 2020)";
        sb.Append("| | |\n|---|---|\n");
        sb.Append("| steps T | ").Append(s.Steps.ToString("N0", CultureInfo.InvariantCulture)).Append(" |\n");
        sb.Append("| schedule | ").Append(schedule).Append(" |\n");
        sb.Append("| ᾱ at T | ").Append(F(s.AlphaBarAtEnd)).Append(" |\n");
        sb.Append("| signal left at step T (√ᾱ_T) | ").Append(F(s.SignalAtEnd)).Append(" |\n");
        sb.Append("| ᾱ at T/2 | ").Append(F(s.AlphaBars[s.Steps / 2 - 1 < 0 ? 0 : s.Steps / 2 - 1])).Append(" |\n");
        sb.Append("| sampler | ").Append(d.Sampler.IsDdim ? $"ddim({d.Sampler.Steps}): {d.Sampler.Steps} denoiser passes, deterministic" : $"ddpm: {s.Steps} denoiser passes").Append(" |\n");
        sb.Append("| the denoiser predicts | ").Append(d.Prediction switch
        {
            DiffusionModel.PredictVelocity => "the velocity v = √ᾱ·ε − √(1 − ᾱ)·x₀ (Salimans & Ho 2022)",
            DiffusionModel.PredictImage => "the clean image x₀",
            _ => "the noise ε (Ho et al. 2020)",
        }).Append(" |\n");
        sb.Append("| EMA of the weights | ").Append(F(d.Ema)).Append(" |");
        return sb.ToString();
    }

    private static string F(double v) => v == 0 ? "0" : Math.Abs(v) < 1e-3 ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);
}
