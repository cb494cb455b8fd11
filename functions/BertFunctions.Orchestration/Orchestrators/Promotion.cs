using System.Globalization;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>Champion/challenger: whether a candidate replaces the live model.</summary>
public static class Promotion
{
    public sealed record Decision(bool Promote, string Reason);

    /// <summary>
    /// The first model is promoted; after that a candidate must beat the champion strictly on the metric (both measured
    /// on the same held-out validation split; the test split is reported, never decided on). A candidate without the
    /// metric is never promoted.
    /// </summary>
    public static Decision Decide(string metric, IReadOnlyDictionary<string, double>? candidate, IReadOnlyDictionary<string, double>? champion)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (candidate is null || !candidate.TryGetValue(metric, out var challenger) || double.IsNaN(challenger))
        {
            return new Decision(false, $"the candidate has no {metric}");
        }

        if (champion is null)
        {
            return new Decision(true, string.Create(CultureInfo.InvariantCulture, $"first model for this name ({metric} {challenger:F4})"));
        }

        if (!champion.TryGetValue(metric, out var live) || double.IsNaN(live))
        {
            return new Decision(true, string.Create(CultureInfo.InvariantCulture, $"the live model has no {metric}; candidate {challenger:F4}"));
        }

        return challenger > live
            ? new Decision(true, string.Create(CultureInfo.InvariantCulture, $"{metric} {challenger:F4} beats the live model's {live:F4}"))
            : new Decision(false, string.Create(CultureInfo.InvariantCulture, $"{metric} {challenger:F4} does not beat the live model's {live:F4}; the live model stays"));
    }
}
