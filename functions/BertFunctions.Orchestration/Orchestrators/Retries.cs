using BertFunctions.Datasets;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>Activity retry policies.</summary>
internal static class Retries
{
    /// <summary>
    /// Storage hiccups are retried (three attempts, 5 s then 10 s apart); bad data is not: an ingestion or request
    /// problem fails the same way every time, so it fails the run at once with its reason.
    /// </summary>
    public static TaskOptions Storage { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(5), backoffCoefficient: 2)
    {
        HandleFailure = failure => !failure.IsCausedBy<IngestionException>() && !failure.IsCausedBy<Contracts.RunRequestException>() && !failure.IsCausedBy<ArgumentException>(),
    });
}
