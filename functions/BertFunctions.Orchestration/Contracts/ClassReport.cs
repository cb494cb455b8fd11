namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// The per-class result of a classifier on one held-out split, as the trainer's metrics.json has it: every label's
/// precision, recall, F1 and support, and the confusion matrix. Aggregates only: the per-example labels and
/// predictions stay in metrics.json (they grow with the split; a run record should not).
/// </summary>
public sealed record ClassReport
{
    /// <summary>The label names in class-id order: the order of <see cref="PerClass"/> and of the matrix's rows and columns.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>One entry per label, in <see cref="Labels"/> order.</summary>
    public required IReadOnlyList<ClassScore> PerClass { get; init; }

    /// <summary>Counts: rows are the true label, columns the predicted label, both in <see cref="Labels"/> order.</summary>
    public required IReadOnlyList<IReadOnlyList<long>> ConfusionMatrix { get; init; }

    /// <summary>Examples scored (the sum of the matrix).</summary>
    public long Count { get; init; }
}

/// <summary>One label's scores: undefined precision or recall (nothing predicted, or no example) counts as 0.</summary>
/// <param name="Support">Examples whose true label this is (the matrix row's sum).</param>
public sealed record ClassScore(string Label, double Precision, double Recall, double F1, long Support);
