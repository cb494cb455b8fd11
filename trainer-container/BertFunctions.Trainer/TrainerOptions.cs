namespace BertFunctions.Trainer;

/// <summary>The worker's settings (environment variables <c>BERTFN_TRAINER__*</c> or command-line switches).</summary>
public sealed class TrainerOptions
{
    /// <summary>An https:// account URL (managed identity / Entra ID) or a connection string (Azurite). From BERTFN_STORAGE.</summary>
    public string Storage { get; set; } = "";

    /// <summary>A worker exits after this long without a job (Container Apps Job: the replica ends, scale to zero).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a received job stays invisible to other workers; renewed at a third of it while training.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries of one job before it goes to the dead-letter queue (each retry resumes from its checkpoint).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How often a running job's cancel request (<c>checkpoints/{job}/cancel.json</c>) is looked for.</summary>
    public TimeSpan CancelPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Poll interval when the queue is empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
