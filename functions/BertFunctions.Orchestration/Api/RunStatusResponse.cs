using BertFunctions.Contracts.Models;
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

    /// <summary>While the run goes: the note on its imbalanced labels (the outcome's <see cref="RunOutcome.Imbalance"/> once it ends).</summary>
    public string? Imbalance { get; init; }

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

/// <summary>GET /api/runs as JSON: the runs page's lists, newest first, for the CLI and scripts.</summary>
public sealed record RunList(IReadOnlyList<RunListItem> Runs, IReadOnlyList<ExperimentListItem> Experiments, IReadOnlyList<LiveModel> Live, string? Next = null)
{
    public static RunList Of(Reports.RunsPage.Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return new RunList(
            [.. contents.Runs.Select(r => new RunListItem(r.Id, r.Request.Dataset, TrainingStrategyNames.Name(r.Request.Strategy), r.State, r.StartedAt, r.EndedAt, r.Outcome?.Metrics is { } m && m.TryGetValue("test.macro_f1", out var f1) ? f1 : null, r.Outcome?.Promoted, r.Error ?? r.Outcome?.Reason, Reports.RunsPage.BaselineTestMacroF1(r.Outcome)))],
            [.. contents.Experiments.Select(e => new ExperimentListItem(e.Id, e.Dataset, e.StartedAt, e.EndedAt, e.Recommendation))],
            contents.Live,
            contents.Next?.Encode());
    }
}

/// <summary>One training run in <see cref="RunList"/>.</summary>
/// <param name="BaselineTestMacroF1">The TF-IDF baseline's test macro-F1 on the same splits, beside <paramref name="TestMacroF1"/>; null when the run fitted none.</param>
public sealed record RunListItem(string Id, string Dataset, string Strategy, string State, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? TestMacroF1, bool? Promoted, string? Note, double? BaselineTestMacroF1 = null);

/// <summary>One finished experiment in <see cref="RunList"/>.</summary>
public sealed record ExperimentListItem(string Id, string Dataset, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string Recommendation);
