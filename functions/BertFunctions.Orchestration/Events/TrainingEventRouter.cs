using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Orchestration.Events;

/// <summary>
/// Turns a message of the <c>training-events</c> queue into an external event of the run its job belongs to (the
/// event's run id, which the trainer copies from the job spec). A message that is not a training event, or whose run is gone, is
/// logged and dropped: it can never become valid, and retrying it would only clog the queue.
/// </summary>
public sealed partial class TrainingEventRouter(DurableTaskClient client, ILogger<TrainingEventRouter> logger)
{
    /// <summary>Returns whether the event reached a run.</summary>
    public async Task<bool> RouteAsync(string message, CancellationToken cancellationToken)
    {
        TrainingEvent e;
        try
        {
            e = TrainingEvent.FromJson(message);
        }
        catch (JsonException ex)
        {
            LogUnreadable(ex.Message);
            return false;
        }

        if (e.RunId is not { } runId)
        {
            LogNotARun(e.JobId, e.Kind);
            return false;
        }

        var instance = await client.GetInstanceAsync(runId, cancellationToken).ConfigureAwait(false);
        if (instance is null || instance.IsCompleted)
        {
            LogNoRun(e.JobId, e.Kind, runId);
            return false;
        }

        await client.RaiseEventAsync(runId, RunIds.JobEvent(e.JobId), e, cancellationToken).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a training-events message that is not a training event: {Reason}")]
    private partial void LogUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training event {Kind} of job {JobId} belongs to no pipeline run (a job started by hand)")]
    private partial void LogNotARun(string jobId, TrainingEventKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training event {Kind} of job {JobId}: run {RunId} is not running; dropped")]
    private partial void LogNoRun(string jobId, TrainingEventKind kind, string runId);
}
