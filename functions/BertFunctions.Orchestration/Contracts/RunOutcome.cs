namespace BertFunctions.Orchestration.Contracts;

/// <summary>How a run ended, when it did not fail (a failure is the orchestration's failure, with its reason).</summary>
public sealed record RunOutcome
{
    /// <summary><c>completed</c> or <c>cancelled</c>.</summary>
    public required string State { get; init; }

    /// <summary>The candidate's package, <c>models/{name}/{version}/</c>.</summary>
    public string? ModelPackage { get; init; }

    public string? ModelVersion { get; init; }

    public bool Promoted { get; init; }

    /// <summary>Why it was or was not promoted (or why the run was cancelled).</summary>
    public required string Reason { get; init; }

    /// <summary>The candidate's metrics on the held-out splits.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>The live model's metrics on the same test split, when there was one.</summary>
    public IReadOnlyDictionary<string, double>? ChampionMetrics { get; init; }

    /// <summary>
    /// The candidate's per-class precision, recall, F1 and support and its confusion matrix, by split (<c>test</c>,
    /// <c>validation</c>), from the classify job's metrics.json; null when the job's metrics.json had no such detail.
    /// </summary>
    public IReadOnlyDictionary<string, ClassReport>? ClassReports { get; init; }

    /// <summary>Dataset versions the run trained on (labeled, and domain text for dapt/scratch).</summary>
    public IReadOnlyDictionary<string, string>? DatasetVersions { get; init; }

    /// <summary>The TF-IDF + logistic regression baseline on the same splits; null when the request turned it off (<c>"baseline": false</c>).</summary>
    public RunBaseline? Baseline { get; init; }

    /// <summary>The training split's label imbalance and what the run did about it; null when its labels are balanced.</summary>
    public LabelImbalance? Imbalance { get; init; }
}
