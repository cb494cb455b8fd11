using Azure.Storage.Queues;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.LocalHost;

/// <summary>
/// The local stand-in for the Functions queue trigger on <c>training-events</c>: receives messages, routes each to
/// its run (<see cref="TrainingEventRouter"/>) and deletes it. A message whose routing throws comes back after its
/// visibility timeout, and is dropped with a log line after five tries, as the queue trigger's poison handling does.
/// </summary>
public sealed partial class TrainingEventPump(QueueServiceClient queues, TrainingEventRouter router, IOptions<LocalHostOptions> options, ILogger<TrainingEventPump> logger) : BackgroundService
{
    private const int MaxDequeues = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PumpAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping (the storage SDK reports it as its own cancellation).
        }
    }

    private async Task PumpAsync(CancellationToken stoppingToken)
    {
        var events = queues.GetQueueClient(TrainingQueues.Events);
        await events.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            Azure.Storage.Queues.Models.QueueMessage[] messages;
            try
            {
                messages = (await events.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(60), stoppingToken).ConfigureAwait(false)).Value;
            }
            catch (Azure.RequestFailedException e)
            {
                // Storage hiccup: wait and poll again rather than take the host down.
                LogReceiveFailed(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (messages.Length == 0)
            {
                await Task.Delay(options.Value.EventPollInterval, stoppingToken).ConfigureAwait(false);
                continue;
            }

            // In order: a job's progress events must reach its run in the order the trainer sent them.
            foreach (var message in messages)
            {
                try
                {
                    await router.RouteAsync(message.Body.ToString(), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && message.DequeueCount < MaxDequeues)
                {
                    LogRetry(message.MessageId, e.Message);
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogDropped(message.MessageId, e.Message);
                }

                await events.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving training events failed ({Error}); retrying in 5 s")]
    private partial void LogReceiveFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing training event {MessageId} failed ({Error}); it will be retried")]
    private partial void LogRetry(string messageId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training event {MessageId} failed five times ({Error}); dropped")]
    private partial void LogDropped(string messageId, string error);
}
