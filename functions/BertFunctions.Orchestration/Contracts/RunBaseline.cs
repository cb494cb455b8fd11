namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// The classical baseline a training run fits beside its model: TF-IDF with logistic regression (the trainer's
/// baseline job, as in experiments) on the same dataset version, training split and seed, scored on the same
/// validation and test splits. Is BERT worth it here? This is what it has to beat.
/// </summary>
public sealed record RunBaseline
{
    /// <summary>What the baseline is, as reports name it.</summary>
    public const string Name = "TF-IDF baseline";

    /// <summary>The trainer job that fitted it, <c>{run}-tfidf</c>.</summary>
    public required string JobId { get; init; }

    /// <summary>Its metrics on the held-out splits, named as the model's: <c>validation.macro_f1</c>, <c>test.accuracy</c>...; null when it failed.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Why there are no metrics: the job failed (the run goes on; the baseline is a reference, not the product).</summary>
    public string? Error { get; init; }
}
