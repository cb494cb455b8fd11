using System.Globalization;
using BertFunctions.Contracts.Models;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>Champion/challenger: whether a candidate replaces the live model.</summary>
public static class Promotion
{
    public sealed record Decision(bool Promote, string Reason);

    /// <summary>
    /// The refusal of a candidate whose <see cref="LabelContract"/> differs from the live model's, unless the change
    /// is allowed; null when there is nothing to refuse (no live model, one promoted before contracts were recorded, or
    /// the same contract). Such a candidate is not compared with the champion: its labels mean something else.
    /// </summary>
    public static Decision? RefuseLabelChange(LiveModel? live, string contract, IReadOnlyList<string> labels, bool allowed) =>
        live?.LabelContract is { } served && served != contract && !allowed
            ? new Decision(false, $"the labels or their mapping differ from the live model's ([{string.Join(", ", live.Labels ?? [])}] -> [{string.Join(", ", labels)}]); only a training run with allow_label_change replaces it")
            : null;

    /// <summary>
    /// <c>require_beat_baseline</c>: whether the candidate's <paramref name="metric"/> is strictly above the TF-IDF
    /// baseline's, both on the same validation split (never test), and a reason that says so either way. A candidate
    /// or a baseline without the metric (the baseline job failed) does not pass: the rule was asked for and cannot be
    /// shown to hold.
    /// </summary>
    public static Decision AgainstBaseline(string metric, IReadOnlyDictionary<string, double>? candidate, IReadOnlyDictionary<string, double>? baseline)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (candidate is null || !candidate.TryGetValue(metric, out var model) || double.IsNaN(model))
        {
            return new Decision(false, $"the candidate has no {metric} to compare with the {RunBaseline.Name}");
        }

        if (baseline is null || !baseline.TryGetValue(metric, out var reference) || double.IsNaN(reference))
        {
            return new Decision(false, $"the {RunBaseline.Name} has no {metric}, so beating it cannot be shown (require_beat_baseline)");
        }

        return model > reference
            ? new Decision(true, string.Create(CultureInfo.InvariantCulture, $"beat the {RunBaseline.Name} {model:F4} > {reference:F4} ({metric})"))
            : new Decision(false, string.Create(CultureInfo.InvariantCulture, $"did not beat the {RunBaseline.Name} {model:F4} <= {reference:F4} ({metric})"));
    }

    /// <summary>
    /// <paramref name="decision"/> with the baseline rule applied when it was required (<paramref name="againstBaseline"/>
    /// not null): a candidate that did not beat the baseline is not promoted whatever the champion, and the reason
    /// says how it stood against the baseline either way.
    /// </summary>
    public static Decision WithBaseline(Decision decision, Decision? againstBaseline)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return againstBaseline switch
        {
            null => decision,
            { Promote: false } => new Decision(false, $"not promoted: {againstBaseline.Reason}"),
            _ => decision with { Reason = $"{decision.Reason}; {againstBaseline.Reason}" },
        };
    }

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
