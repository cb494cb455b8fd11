using Azure.Storage.Blobs;
using BertFunctions.Orchestration;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Functions.Http;

/// <summary>
/// The training API: <c>POST /api/training</c>, <c>GET /api/training/{id}</c>, <c>POST /api/training/{id}/cancel</c>,
/// <c>GET /api/models</c>. Function keys protect them in Azure; the work is <see cref="TrainingApi"/>, which the local
/// host maps to the same routes.
/// </summary>
public sealed class TrainingFunctions(UploadInspector inspector, BlobServiceClient blobs, IOptions<PipelineOptions> options, ILogger<TrainingApi> logger)
{
    [Function("StartTraining")]
    public async Task<IActionResult> Start([HttpTrigger(AuthorizationLevel.Admin, "post", Route = "training")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).StartAsync(request, cancellationToken).ConfigureAwait(false));

    [Function("TrainingStatus")]
    public async Task<IActionResult> Status([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "training/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).StatusAsync(id, cancellationToken).ConfigureAwait(false));

    [Function("CancelTraining")]
    public async Task<IActionResult> Cancel([HttpTrigger(AuthorizationLevel.Admin, "post", Route = "training/{id}/cancel")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).CancelAsync(request, id, cancellationToken).ConfigureAwait(false));

    [Function("Models")]
    public async Task<IActionResult> Models([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).ModelsAsync(request, cancellationToken).ConfigureAwait(false));

    [Function("StartExperiment")]
    public async Task<IActionResult> StartExperiment([HttpTrigger(AuthorizationLevel.Admin, "post", Route = "experiments")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).StartExperimentAsync(request, cancellationToken).ConfigureAwait(false));

    [Function("ExperimentStatus")]
    public async Task<IActionResult> ExperimentStatus([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "experiments/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new ResultActionResult(await Api(client).ExperimentStatusAsync(id, cancellationToken).ConfigureAwait(false));

    // The Durable client comes from the binding, per invocation; the rest is the app's singletons.
    private TrainingApi Api(DurableTaskClient client) => new(client, inspector, blobs, options, logger);
}
