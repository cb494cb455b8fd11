using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Api;

/// <summary>GET /api/training/{id}: where a run is, and how it ended.</summary>
public sealed record RunStatusResponse
{
    public required string Id { get; init; }

    /// <summary>The orchestration's state: Pending, Running, Completed, Failed, Terminated (or the run record's).</summary>
    public required string RuntimeStatus { get; init; }

    public string? Phase { get; init; }

    public double? Percent { get; init; }

    public string? Job { get; init; }

    public long? Step { get; init; }

    public long? TotalSteps { get; init; }

    public double? Loss { get; init; }

    public double? EtaSeconds { get; init; }

    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    public RunOutcome? Outcome { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? LastUpdatedAt { get; init; }
}

/// <summary>202 Accepted for POST /api/training and cancel.</summary>
/// <param name="Warnings">What the user should know before compute is spent (e.g. a scratch arm with too small a pretraining budget); absent when none.</param>
public sealed record RunAccepted(string Id, string StatusUrl, bool Existing, IReadOnlyList<string>? Warnings = null);

/// <summary>GET /api/models: every model name, its versions and which one is live.</summary>
public sealed record ModelSummary(string Name, LiveModel? Live, IReadOnlyList<ModelVersionSummary> Versions);

public sealed record ModelVersionSummary(string Version, DateTimeOffset? CreatedAt, IReadOnlyList<string>? Labels, IReadOnlyDictionary<string, double>? Metrics, bool IsLive);

/// <summary>GET /api/experiments/{id}.</summary>
public sealed record ExperimentStatusResponse
{
    public required string Id { get; init; }

    public required string RuntimeStatus { get; init; }

    public string? Phase { get; init; }

    public double? Percent { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    public ExperimentResult? Result { get; init; }
}
