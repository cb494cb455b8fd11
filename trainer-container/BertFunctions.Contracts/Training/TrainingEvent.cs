using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Contracts.Training;

[JsonConverter(typeof(JsonStringEnumConverter<TrainingEventKind>))]
public enum TrainingEventKind
{
    [JsonStringEnumMemberName("started")] Started,
    [JsonStringEnumMemberName("progress")] Progress,
    [JsonStringEnumMemberName("evaluation")] Evaluation,
    [JsonStringEnumMemberName("checkpoint")] Checkpoint,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// What the trainer reports on the <c>training-events</c> queue; the orchestration turns these into external
/// events and custom status. Small: one queue message (64 KB) each.
/// </summary>
public sealed record TrainingEvent
{
    public required string JobId { get; init; }

    /// <summary>The job spec's <see cref="TrainingJobSpec.RunId"/>: the run this event goes to (null: a job started by hand).</summary>
    public string? RunId { get; init; }
    public required TrainingEventKind Kind { get; init; }
    public required DateTimeOffset At { get; init; }
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public double? Loss { get; init; }
    public double? LearningRate { get; init; }
    public double? TokensPerSecond { get; init; }
    public double? EtaSeconds { get; init; }

    /// <summary>Blob name of the checkpoint written (checkpoint events) or resumed from (started).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Metrics by name, e.g. <c>validation.macro_f1</c>, <c>test.accuracy</c>, <c>validation.perplexity</c>.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>The model package written (completed events): <c>models/{name}/{version}/</c>.</summary>
    public string? ModelPackage { get; init; }

    /// <summary>The precision the job's matmuls run in: <c>fp32</c> or <c>bf16</c> (every event of a training job).</summary>
    public string? Precision { get; init; }

    /// <summary>What the job cost (completed events).</summary>
    public JobCost? Cost { get; init; }

    /// <summary>Why the job failed (failed events): one line for people.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Failed events from the queue worker: true when the job's message will be delivered again (the next attempt
    /// resumes from the latest checkpoint), false when it went to the dead-letter queue. The orchestration waits on
    /// the first kind and retries or gives up on the second.
    /// </summary>
    public bool WillRetry { get; init; }

    /// <summary>Events are read leniently (a newer trainer may add fields); specs are not.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static TrainingEvent FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingEvent>(json, JsonOptions) ?? throw new JsonException("empty training event");
}

/// <summary>Queue names the pipeline and the trainer share.</summary>
public static class TrainingQueues
{
    public const string Jobs = "training-jobs";
    public const string Events = "training-events";
    public const string DeadLetter = "training-jobs-poison";
}
