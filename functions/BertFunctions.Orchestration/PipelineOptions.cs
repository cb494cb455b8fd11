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

    public RunSettings RunSettings => new() { JobInactivityTimeout = JobInactivityTimeout, JobQueueTimeout = JobQueueTimeout, MaxTrainerAttempts = MaxTrainerAttempts };
}
