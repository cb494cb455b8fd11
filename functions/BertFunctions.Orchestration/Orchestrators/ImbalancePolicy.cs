using System.Globalization;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// What a training run does about imbalanced labels: find them in the training split's label counts
/// (<see cref="LabelImbalance.Threshold"/>), and decide the fine-tune's class-weighted loss: the request's setting
/// when it has one, else <see cref="DefaultClassWeights"/> for an imbalanced split and off for a balanced one.
/// </summary>
public static class ImbalancePolicy
{
    /// <summary>
    /// Whether an imbalanced split fine-tunes with inverse-frequency class weights when the request does not say:
    /// measured on the 15 Brown genres (12.9:1), docs/results.md, "Class weights on imbalanced labels".
    /// </summary>
    public const bool DefaultClassWeights = true;

    /// <summary>The imbalance of <paramref name="trainLabelCounts"/>, or null when it is balanced, has fewer than two labels or is unknown.</summary>
    /// <param name="requested">The request's <c>fine_tuning.class_weights</c>, null when it left it out.</param>
    public static LabelImbalance? Assess(IReadOnlyDictionary<string, long>? trainLabelCounts, bool? requested)
    {
        if (trainLabelCounts is not { Count: >= 2 })
        {
            return null;
        }

        // Ties broken by name, so the note is the same on every replay.
        var ordered = trainLabelCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var (largest, smallest) = (ordered[0], ordered[^1]);
        var ratio = (double)largest.Value / Math.Max(smallest.Value, 1);
        if (ratio < LabelImbalance.Threshold)
        {
            return null;
        }

        var weighted = requested ?? DefaultClassWeights;
        var what = (weighted, requested is null) switch
        {
            (true, true) => "class-weighted loss on by default (fine_tuning.class_weights: false turns it off)",
            (false, true) => "class-weighted loss off (fine_tuning.class_weights: true turns it on)",
            (true, false) => "class-weighted loss on, as requested",
            (false, false) => "class-weighted loss off, as requested",
        };
        return new LabelImbalance
        {
            Largest = largest.Key,
            LargestCount = largest.Value,
            Smallest = smallest.Key,
            SmallestCount = smallest.Value,
            Ratio = Math.Round(ratio, 2),
            ClassWeights = weighted,
            Requested = requested is not null,
            Note = string.Create(CultureInfo.InvariantCulture, $"imbalanced labels in the training split: {largest.Key} {largest.Value} to {smallest.Key} {smallest.Value} ({ratio:0.#}:1, threshold {LabelImbalance.Threshold:0.#}:1); {what}"),
        };
    }

    /// <summary>The class weights the fine-tune trains with: the request's, else on exactly when <paramref name="imbalance"/> says so.</summary>
    public static bool ClassWeights(bool? requested, LabelImbalance? imbalance) => requested ?? imbalance?.ClassWeights ?? false;
}
