using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Trainer;

/// <summary>
/// Container Apps Job semantics: take one job at a time from <c>training-jobs</c>, keep it invisible to other
/// workers while training (renewing the lease), delete it when done, and exit after an idle period. A job that
/// keeps failing goes to <c>training-jobs-poison</c> after <see cref="TrainerOptions.MaxAttempts"/> deliveries (each
/// retry resumes from its latest checkpoint), and so does one whose earlier deliveries each ended the process; a message
/// that is not a valid job spec goes there at once. A job stops at its next step when its lease is lost (another worker
/// may have it) or its run is cancelled (<see cref="JobGuard"/>). Nothing is lost: every message ends deleted after
/// success or cancellation, or in the dead-letter queue with a failed event.
/// </summary>
public sealed partial class QueueWorker(StorageClients storage, ITrainingJobRunner runner, IOptions<TrainerOptions> options, TimeProvider time, ILogger<QueueWorker> logger)
{
    private readonly TrainerOptions settings = options.Value;

    /// <summary>Processes jobs until the queue has been empty for the idle timeout; returns how many jobs ran.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var jobs = storage.Queues.GetQueueClient(TrainingQueues.Jobs);
        var events = storage.Queues.GetQueueClient(TrainingQueues.Events);
        var poison = storage.Queues.GetQueueClient(TrainingQueues.DeadLetter);
        foreach (var queue in new[] { jobs, events, poison })
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // Job leases and cancel requests live beside the checkpoints (the checkpoint store creates it the same way).
        await storage.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        var processed = 0;
        var idleSince = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            QueueMessage? message = (await jobs.ReceiveMessageAsync(settings.VisibilityTimeout, cancellationToken).ConfigureAwait(false)).Value;
            if (message is null)
            {
                if (time.GetUtcNow() - idleSince >= settings.IdleTimeout)
                {
                    LogIdleExit(processed);
                    return processed;
                }

                await Task.Delay(settings.PollInterval, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await ProcessAsync(jobs, events, poison, message, cancellationToken).ConfigureAwait(false);
            processed++;
            idleSince = time.GetUtcNow();
        }

        return processed;
    }

    private async Task ProcessAsync(QueueClient jobs, QueueClient events, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        TrainingJobSpec spec;
        try
        {
            spec = TrainingJobSpec.FromJson(message.Body.ToString());
        }
        catch (JobSpecException e)
        {
            // Deterministic bad input: retrying cannot help.
            await DeadLetterAsync(jobs, poison, message, cancellationToken).ConfigureAwait(false);
            await events.SendMessageAsync(new TrainingEvent { JobId = "unknown", Kind = TrainingEventKind.Failed, At = time.GetUtcNow(), Error = e.Message }.ToJson(), cancellationToken).ConfigureAwait(false);
            LogInvalidSpec(message.MessageId, e.Message);
            return;
        }

        if (message.DequeueCount > settings.MaxAttempts)
        {
            // Its earlier deliveries never came back: each ended the process (a crash, out of memory) before the job
            // could fail cleanly, so the count after a job returns never saw them. Running it again would end the same.
            var crashes = message.DequeueCount - 1;
            await DeadLetterAsync(jobs, poison, message, cancellationToken).ConfigureAwait(false);
            await events.SendMessageAsync(new TrainingEvent { JobId = spec.JobId, RunId = spec.RunId, Kind = TrainingEventKind.Failed, At = time.GetUtcNow(), WillRetry = false, Error = $"the job ended the trainer's process in each of its {crashes} deliveries without finishing (a crash or running out of memory); dead-lettered" }.ToJson(), cancellationToken).ConfigureAwait(false);
            LogDeadLettered(spec.JobId, crashes);
            return;
        }

        bool succeeded;
        var willRetry = message.DequeueCount < settings.MaxAttempts;
        var guard = new JobGuard(jobs, storage.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer), message, spec.JobId, settings, time, cancellationToken);
        await using (guard.ConfigureAwait(false))
        {
            if (!await guard.TryTakeJobAsync().ConfigureAwait(false))
            {
                // Another worker trains this job now: this message is a second dispatch of it. That worker finishes
                // it or fails it (its own message comes back), so this copy goes.
                await jobs.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                LogDuplicate(spec.JobId);
                return;
            }

            guard.Start();
            try
            {
                await using var sink = new QueueEventSink(events, logger);
                // A failed event says whether this message comes back, so that the orchestration knows whether to wait.
                succeeded = await runner.RunAsync(spec, new JobEventStamp(sink, spec.RunId, willRetry), guard.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && guard.Stop is not JobGuard.Reason.None)
            {
                succeeded = false;
            }
        }

        var receipt = guard.Receipt;
        if (guard.Stop == JobGuard.Reason.LeaseLost)
        {
            // Another worker may hold the message now: touch nothing, it finishes or fails the job.
            LogLeaseLost(spec.JobId);
            return;
        }

        if (guard.Stop == JobGuard.Reason.CancelRequested && !succeeded)
        {
            // The run was cancelled: the job stops for good, and says so.
            await jobs.DeleteMessageAsync(message.MessageId, receipt, cancellationToken).ConfigureAwait(false);
            await events.SendMessageAsync(new TrainingEvent { JobId = spec.JobId, RunId = spec.RunId, Kind = TrainingEventKind.Failed, At = time.GetUtcNow(), WillRetry = false, Error = "cancelled on request" }.ToJson(), cancellationToken).ConfigureAwait(false);
            LogCancelled(spec.JobId);
            return;
        }

        if (succeeded)
        {
            await jobs.DeleteMessageAsync(message.MessageId, receipt, cancellationToken).ConfigureAwait(false);
        }
        else if (message.DequeueCount >= settings.MaxAttempts)
        {
            await DeadLetterAsync(jobs, poison, message, cancellationToken, receipt).ConfigureAwait(false);
            LogDeadLettered(spec.JobId, message.DequeueCount);
        }
        else
        {
            // Let it reappear soon: the next delivery resumes from the latest checkpoint.
            await jobs.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: TimeSpan.FromSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task DeadLetterAsync(QueueClient jobs, QueueClient poison, QueueMessage message, CancellationToken cancellationToken, string? receipt = null)
    {
        // Copy first, then delete: a crash in between leaves a duplicate, never a loss.
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        await jobs.DeleteMessageAsync(message.MessageId, receipt ?? message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stamps every event with the run it goes to (the spec's run id, so the pipeline routes without parsing job ids)
    /// and failed events with whether the message will be delivered again.
    /// </summary>
    private sealed class JobEventStamp(IProgress<TrainingEvent> inner, string? runId, bool willRetry) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) =>
            inner.Report(value.Kind == TrainingEventKind.Failed ? value with { RunId = runId, WillRetry = willRetry } : value with { RunId = runId });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No job for the idle timeout; exiting after {Processed} jobs")]
    private partial void LogIdleExit(int processed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} is not a valid job spec and was dead-lettered: {Reason}")]
    private partial void LogInvalidSpec(string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} lost its queue lease (the message was deleted or taken by another worker): stopped without touching it")]
    private partial void LogLeaseLost(string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} is already being trained by another worker: this second message of it was dropped")]
    private partial void LogDuplicate(string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was cancelled on request: stopped and removed from the queue")]
    private partial void LogCancelled(string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed {Attempts} times and was dead-lettered")]
    private partial void LogDeadLettered(string jobId, long attempts);
}
