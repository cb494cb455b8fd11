namespace BertFunctions.Orchestration.Contracts;

/// <summary>Operational settings of a run, fixed when it starts (so that replays see the same values).</summary>
public sealed record RunSettings
{
    /// <summary>A trainer job that has started and then sends no event for this long is considered lost (durable timer per job).</summary>
    public TimeSpan JobInactivityTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a dispatched job may wait for a trainer to pick it up (its first event). Longer than the inactivity
    /// timeout: an experiment queues dozens of jobs for a few workers, and waiting in the queue is not being lost.
    /// </summary>
    public TimeSpan JobQueueTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Dispatches of one job (each later one resumes from its latest checkpoint) before the run fails.</summary>
    public int MaxTrainerAttempts { get; init; } = 3;

    /// <summary>The trainer's sustained training rate in FLOPs per second (6 × parameters × tokens per second, evaluation included), which turns an experiment's time budget into FLOPs.</summary>
    public double TrainingFlopsPerSecond { get; init; } = PipelineOptions.DefaultTrainingFlopsPerSecond;
}

/// <summary>The training orchestration's input.</summary>
public sealed record TrainingRunInput(TrainingRunRequest Request, RunSettings Settings);

/// <summary>The retrain scheduler's input: which dataset, how long uploads must be quiet before a run.</summary>
public sealed record SchedulerInput(string Dataset, TimeSpan Debounce, RunSettings Settings);

/// <summary>A run failed for a reason worth showing to people as is.</summary>
public sealed class RunFailedException(string message) : Exception(message);
