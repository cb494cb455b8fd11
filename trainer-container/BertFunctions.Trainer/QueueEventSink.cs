using System.Threading.Channels;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Training;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Trainer;

/// <summary>
/// Sends training events to the <c>training-events</c> queue in order, without blocking the training loop: events go
/// into a channel and one sender drains it. <see cref="DisposeAsync"/> flushes what is left.
/// </summary>
public sealed partial class QueueEventSink : IProgress<TrainingEvent>, IAsyncDisposable
{
    private readonly Channel<TrainingEvent> pending = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly QueueClient queue;
    private readonly ILogger logger;
    private readonly Task sender;

    public QueueEventSink(QueueClient queue, ILogger logger)
    {
        this.queue = queue;
        this.logger = logger;
        sender = Task.Run(SendAllAsync);
    }

    public void Report(TrainingEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        LogEvent(value.JobId, value.Kind, value.Step, value.Loss, value.Error);
        pending.Writer.TryWrite(value);
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await sender.ConfigureAwait(false);
    }

    private async Task SendAllAsync()
    {
        await foreach (var value in pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await queue.SendMessageAsync(value.ToJson()).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // An event that cannot be sent must not stop training; it is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogSendFailed(value.JobId, value.Kind, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: {Kind} step {Step} loss {Loss} {Error}")]
    private partial void LogEvent(string jobId, TrainingEventKind kind, long step, double? loss, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: could not send the {Kind} event: {Reason}")]
    private partial void LogSendFailed(string jobId, TrainingEventKind kind, string reason);
}
