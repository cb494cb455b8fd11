using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Functions.Triggers;

/// <summary>A message on <c>training-events</c> (from the trainer) becomes an external event of its run.</summary>
public sealed class TrainingEventsTrigger(ILoggerFactory loggers)
{
    [Function("TrainingEventReceived")]
    public async Task Run(
        [QueueTrigger(TrainingQueues.Events, Connection = "BERTFN_STORAGE")] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var router = new TrainingEventRouter(client, loggers.CreateLogger<TrainingEventRouter>());
        await router.RouteAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
