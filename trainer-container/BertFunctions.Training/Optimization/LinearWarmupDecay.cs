namespace BertFunctions.Training.Optimization;

/// <summary>
/// Linear warm-up to the peak learning rate over <see cref="WarmupSteps"/> steps, then linear decay towards zero at
/// <see cref="TotalSteps"/>. Step s (0-based) uses peak·(s+1)/W during warm-up and peak·(T−s)/(T−W) after, so no step
/// trains with a zero rate (HF's schedule spends its first step at 0).
/// </summary>
public sealed record LinearWarmupDecay(double PeakLearningRate, long WarmupSteps, long TotalSteps)
{
    /// <summary>A schedule whose warm-up is ceil(ratio × total) steps, as HF's <c>get_warmup_steps</c>.</summary>
    public static LinearWarmupDecay FromRatio(double peak, double warmupRatio, long totalSteps) =>
        new(peak, (long)Math.Ceiling(warmupRatio * totalSteps), totalSteps);

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }

        var remaining = TotalSteps - WarmupSteps;
        return remaining <= 0 ? PeakLearningRate : PeakLearningRate * Math.Max(0, TotalSteps - step) / remaining;
    }
}
