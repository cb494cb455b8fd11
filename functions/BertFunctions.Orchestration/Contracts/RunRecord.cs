using System.Text.Json;
using System.Text.Json.Serialization;
using BertFunctions.Contracts.Models;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>States of a run record.</summary>
public static class RunStates
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string state) => state is Completed or Failed or Cancelled;
}

/// <summary>
/// The durable record of a run in <c>runs/{id}/run.json</c>: written when the run starts and when it ends. It is
/// what survives a restart of a host whose orchestration state does not (the local host's in-memory engine): a
/// record still <c>running</c> with no live orchestration is resumed from it.
/// </summary>
public sealed record RunRecord
{
    public required string Id { get; init; }

    public required TrainingRunRequest Request { get; init; }

    public required string State { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public RunOutcome? Outcome { get; init; }

    public string? Error { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

/// <summary>The live pointer as read, with its ETag (null: no model is live).</summary>
public sealed record LiveModelRead(LiveModel? Live, string? ETag);

/// <summary>The package a promotion would point at: <c>models/{name}/{version}/</c>.</summary>
public sealed record PackageToVerify(string Name, string Version);

/// <summary>A promotion: <paramref name="Model"/> becomes live if live.json still has the ETag <paramref name="IfMatch"/> (null: if none is live).</summary>
public sealed record PromotionInput(LiveModel Model, string? IfMatch);
