using Azure.Storage.Blobs;
using BertFunctions.Orchestration;
using BertFunctions.Orchestration.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Functions.Triggers;

/// <summary>
/// A blob in the uploads container (<c>labeled/{dataset}/...</c>, <c>raw/{dataset}/...</c>, <c>config/{dataset}.json</c>)
/// starts or signals the dataset's retrain scheduler. Event Grid source, as recommended for Flex Consumption (the
/// infrastructure creates the subscription); the polling source works too by changing <c>Source</c>, at the cost of
/// scanning the container. Bound as a client, so nothing is downloaded here: the ingestion activities read the content.
/// </summary>
public sealed class UploadTrigger(IOptions<PipelineOptions> options, ILoggerFactory loggers)
{
    [Function("UploadReceived")]
    public async Task Run(
        [BlobTrigger("uploads/{name}", Source = BlobTriggerSource.EventGrid, Connection = "BERTFN_STORAGE")] BlobClient blob,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var signal = new UploadSignal(client, options, loggers.CreateLogger<UploadSignal>());
        await signal.SignalAsync(name, cancellationToken).ConfigureAwait(false);
    }
}
