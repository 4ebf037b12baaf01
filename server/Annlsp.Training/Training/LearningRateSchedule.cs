namespace Annlsp.Training.Training;

/// <summary>
/// The `schedule:` of a train block: the learning rate of each optimizer step as a function of the step
/// (0-based, counted over the whole run) and the run's total number of steps. Computed on the host and
/// handed to the flat optimizer as a scalar, so a schedule adds no kernel and no host sync to a step.
/// <list type="bullet">
/// <item><c>constant</c>: the optimizer's lr throughout.</item>
/// <item><c>cosine</c>: lr · ½(1 + cos(π·t/T)), from the lr at the first step down towards 0 at the last (SGDR without restarts).</item>
/// <item><c>onecycle</c>: a linear warm-up from lr/25 to lr over the first 30 % of the steps, then the cosine decay to 0
/// (PyTorch's OneCycleLR with its default div_factor and pct_start, linear warm-up).</item>
/// </list>
/// </summary>
public static class LearningRateSchedule
{
    public const double WarmupFraction = 0.3;
    public const double WarmupDivisor = 25;

    public static double At(string schedule, double peak, long step, long totalSteps)
    {
        if (totalSteps <= 1) return peak;
        double t = Math.Clamp(step, 0, totalSteps - 1);
        switch (schedule)
        {
            case "cosine":
                return peak * 0.5 * (1 + Math.Cos(Math.PI * t / totalSteps));
            case "onecycle":
                double warm = Math.Max(1, Math.Floor(WarmupFraction * totalSteps));
                if (t < warm) return peak / WarmupDivisor + (peak - peak / WarmupDivisor) * t / warm;
                return peak * 0.5 * (1 + Math.Cos(Math.PI * (t - warm) / (totalSteps - warm)));
            default:
                return peak;
        }
    }
}
