namespace BertFunctions.LocalHost;

/// <summary>How the local host runs: where storage is, where it listens, and which trainer it starts.</summary>
public sealed class LocalHostOptions
{
    /// <summary>A connection string (Azurite) or an https:// account URL (managed identity).</summary>
    public required string Storage { get; init; }

    /// <summary>Loopback only: the API has no authentication locally. Port 0 picks a free one.</summary>
    public string Url { get; init; } = "http://127.0.0.1:7071";

    /// <summary>bertfn-trainer.dll to run as <c>--worker</c>; null: no trainer (jobs wait in the queue for one).</summary>
    public string? TrainerAssembly { get; init; }

    /// <summary>A file for the trainer's output; null: its lines go to the host's log at Debug level.</summary>
    public string? TrainerLog { get; init; }

    /// <summary>How often the uploads container is listed for new blobs (the local stand-in for Event Grid) while uploads arrive.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest gap between listings once uploads are quiet: each quiet listing doubles the gap up to this, a change
    /// resets it. Listing thousands of uploads costs Azurite about half a CPU-second, so listing every 2 s while a
    /// model trains takes a quarter of a core from the trainer (on 2 cores, a 1.8x slower step).
    /// </summary>
    public TimeSpan WatchIntervalMax { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the training-events queue is polled when it was empty.</summary>
    public TimeSpan EventPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs interrupted by a restart are resumed at the next start when they started less than this long ago; older
    /// ones are closed as failed (a run left behind a month ago should not start training at every start).
    /// </summary>
    public TimeSpan ResumeLimit { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Classification serving: the default model, the package cache, limits.</summary>
    public Serving.ServingOptions Serving { get; init; } = new();

    /// <summary>The pipeline's trigger settings (debounce, trainer timeouts and attempts).</summary>
    public Orchestration.PipelineOptions Pipeline { get; init; } = new();
}
