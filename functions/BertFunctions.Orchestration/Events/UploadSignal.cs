using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Orchestration.Events;

/// <summary>
/// What the blob trigger does with a new upload (<c>uploads/labeled/{dataset}/...</c>, <c>uploads/raw/{dataset}/...</c>
/// or <c>uploads/config/{dataset}.json</c>): start the dataset's retrain scheduler, or tell the running one. Anything
/// else in the container, or a name that is not a valid dataset, is ignored with a log line.
/// </summary>
public sealed partial class UploadSignal(DurableTaskClient client, IOptions<PipelineOptions> options, ILogger<UploadSignal> logger) : IDisposable
{
    // Signals from this process go one at a time, so a burst of uploads starts the scheduler once; across processes,
    // the backend refuses a second running instance with the same id and the loser signals instead (below).
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The dataset an upload belongs to, or null.</summary>
    public static string? DatasetOf(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        var parts = blobName.Split('/');
        var candidate = parts switch
        {
            ["labeled" or "raw", var dataset, _, ..] => dataset,
            ["config", var file] when file.EndsWith(".json", StringComparison.Ordinal) => file[..^".json".Length],
            _ => null,
        };
        try
        {
            return candidate is null ? null : BlobNames.Dataset(candidate);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Returns the scheduler's instance id, or null when the blob is not an upload of a dataset.</summary>
    public async Task<string?> SignalAsync(string blobName, CancellationToken cancellationToken)
    {
        if (DatasetOf(blobName) is not { } dataset)
        {
            LogIgnored(blobName);
            return null;
        }

        var id = RunIds.Scheduler(dataset);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SignalSchedulerAsync(dataset, id, blobName, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        return id;
    }

    public void Dispose() => gate.Dispose();

    /// <summary>
    /// How a scheduler is started. The backend, not this process, must refuse a second start: asked with no dedupe
    /// statuses, the Azure Storage provider replaces a running instance (the run it had begun is lost), so the refusal
    /// is asked for here rather than left to a host setting (the Functions host's overridableExistingInstanceStates).
    /// With it, the start of an id that is already running fails on that host, which signals the running one instead.
    /// </summary>
    public static StartOrchestrationOptions StartOptions(string id) =>
        new StartOrchestrationOptions(id).WithDedupeStatuses(OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running);

    private async Task SignalSchedulerAsync(string dataset, string id, string blobName, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, cancellationToken).ConfigureAwait(false);
        if (instance is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
        {
            await client.RaiseEventAsync(id, RunIds.UploadEvent, blobName, cancellationToken).ConfigureAwait(false);
            return;
        }

        var settings = options.Value;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(RetrainSchedulerOrchestrator), new SchedulerInput(dataset, settings.DebounceWindow, settings.RunSettings), StartOptions(id), cancellationToken).ConfigureAwait(false);
            LogStarted(dataset, blobName);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Another upload started it between our look and our start (the backend refuses a second instance with
            // this id): tell it instead. If that fails too, the trigger fails and the platform retries it.
            LogRaced(dataset, e.Message);
            await client.RaiseEventAsync(id, RunIds.UploadEvent, blobName, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Blob} is not under labeled/{{dataset}}/, raw/{{dataset}}/ or config/{{dataset}}.json: ignored")]
    private partial void LogIgnored(string blob);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain scheduler of {Dataset} was started concurrently ({Error}); signalling it")]
    private partial void LogRaced(string dataset, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain scheduler of {Dataset} started by {Blob}")]
    private partial void LogStarted(string dataset, string blob);
}
