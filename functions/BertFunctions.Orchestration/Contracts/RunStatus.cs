namespace BertFunctions.Orchestration.Contracts;

/// <summary>Phases of a run, in order; <see cref="RunStatus.Percent"/> maps them onto 0-100.</summary>
public static class RunPhases
{
    public const string Validating = "validating";
    public const string Ingesting = "ingesting";
    public const string Vocabulary = "training vocabulary";
    public const string Pretraining = "pretraining (mlm)";
    public const string Baseline = "baseline (tf-idf)";
    public const string FineTuning = "fine-tuning";
    public const string Evaluating = "evaluating champion";
    public const string Promoting = "promoting";
    public const string Reporting = "writing the report";
    public const string Done = "done";
}

/// <summary>
/// The orchestration's custom status: what GET /api/training/{id} shows while a run is going. Small (the backend
/// stores it with every replay) and only what a person watching needs.
/// </summary>
public sealed record RunStatus
{
    public required string Phase { get; init; }

    /// <summary>Whole-run progress estimate, 0-100.</summary>
    public double Percent { get; init; }

    public string? Job { get; init; }

    public long Step { get; init; }

    public long TotalSteps { get; init; }

    public double? Loss { get; init; }

    public double? TokensPerSecond { get; init; }

    /// <summary>The precision the current job's matmuls run in: <c>fp32</c> or <c>bf16</c>.</summary>
    public string? Precision { get; init; }

    public double? EtaSeconds { get; init; }

    /// <summary>Trainer attempt of the current job (1 unless it failed and was resumed).</summary>
    public int Attempt { get; init; } = 1;

    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>One line for people: what just happened.</summary>
    public string? Message { get; init; }

    /// <summary>The note on the training split's imbalanced labels (<see cref="LabelImbalance.Note"/>), from when the run found it on; null when they are balanced.</summary>
    public string? Imbalance { get; init; }
}
