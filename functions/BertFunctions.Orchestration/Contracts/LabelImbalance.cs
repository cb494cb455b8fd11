namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// The training split's labels are imbalanced: its largest label has at least <see cref="Threshold"/> times the
/// examples of its smallest. A run records it, says so in its status and its log, and (unless the request set
/// <c>fine_tuning.class_weights</c>) fine-tunes with the default the measurement of docs/results.md chose.
/// </summary>
public sealed record LabelImbalance
{
    /// <summary>
    /// The largest-to-smallest label count ratio from which a split is imbalanced. At 3:1 a model that never predicts
    /// the small label loses little accuracy, which is how a default recipe gives up on small classes unnoticed.
    /// </summary>
    public const double Threshold = 3;

    public required string Largest { get; init; }

    public long LargestCount { get; init; }

    public required string Smallest { get; init; }

    public long SmallestCount { get; init; }

    /// <summary>Largest count over smallest (a label without training examples counts as one).</summary>
    public double Ratio { get; init; }

    /// <summary>Whether the fine-tune weighted its loss by inverse class frequency.</summary>
    public bool ClassWeights { get; init; }

    /// <summary>Whether <see cref="ClassWeights"/> was the request's own setting rather than the default for imbalanced labels.</summary>
    public bool Requested { get; init; }

    /// <summary>One line for people, e.g. <c>imbalanced labels: learned 721 to science-fiction 56 (12.9:1, threshold 3:1); class-weighted loss on by default</c>.</summary>
    public required string Note { get; init; }
}
