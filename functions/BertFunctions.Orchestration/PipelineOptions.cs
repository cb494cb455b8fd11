using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration;

/// <summary>Settings of the pipeline's triggers (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Uploads to a dataset must be quiet this long before a run starts (many files, one run).</summary>
    public TimeSpan DebounceWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A trainer job that sends no event for this long is dispatched again (or the run fails).</summary>
    public TimeSpan JobInactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A dispatched job no trainer has picked up for this long is dispatched again (or the run fails).</summary>
    public TimeSpan JobQueueTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Dispatches of one trainer job before the run fails with its reason.</summary>
    public int MaxTrainerAttempts { get; set; } = 3;

    /// <summary>Largest accepted HTTP request body; larger is a 413.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// What the 2-core CPU of the development machine sustains in bf16 at MiniLM's shapes inside the pipeline, evaluation
    /// included (the demo: 100 steps of 32 × 128 tokens in 127-150 s, 6 × 10.6 M parameters per token, about 175-205
    /// GFLOP/s before evaluation). A GPU trainer sustains hundreds of times more: set it for the trainer you deploy.
    /// </summary>
    public const double DefaultTrainingFlopsPerSecond = 1.5e11;

    /// <summary>The trainer's sustained rate (FLOPs per second) that an experiment's time budget is planned at.</summary>
    public double TrainingFlopsPerSecond { get; set; } = DefaultTrainingFlopsPerSecond;

    public RunSettings RunSettings => new() { JobInactivityTimeout = JobInactivityTimeout, JobQueueTimeout = JobQueueTimeout, MaxTrainerAttempts = MaxTrainerAttempts, TrainingFlopsPerSecond = TrainingFlopsPerSecond };
}
