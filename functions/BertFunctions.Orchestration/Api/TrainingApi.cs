using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Http;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Orchestration.Api;

/// <summary>
/// The training HTTP API, host-agnostic: the Functions app and the local host map the same methods to the same routes.
/// Bad input is a 4xx with RFC 7807 problem details, never a 500.
/// </summary>
public sealed partial class TrainingApi(DurableTaskClient client, UploadInspector inspector, BlobServiceClient blobs, IOptions<PipelineOptions> options, ILogger<TrainingApi> logger)
{
    public static readonly JsonSerializerOptions JsonOptions = new(RunRecord.JsonOptions) { WriteIndented = false };

    /// <summary>POST /api/training: starts a run (202 with the status URL); the same request on the same uploads returns the same run.</summary>
    public Task<IResult> StartAsync(HttpRequest http, CancellationToken cancellationToken) => StartAsync(
        http,
        "training",
        TrainingRunRequest.FromJson,
        request => request.Dataset,
        (request, uploads) => RunIds.Run(request.Dataset, request.Strategy, uploads.Fingerprint, request.Hash()),
        nameof(TrainingRunOrchestrator),
        (request, settings) => new TrainingRunInput(request, settings),
        cancellationToken);

    /// <summary>POST /api/experiments: starts a strategy comparison (202 with the status URL); the same request on the same uploads is the same experiment.</summary>
    public Task<IResult> StartExperimentAsync(HttpRequest http, CancellationToken cancellationToken) => StartAsync(
        http,
        "experiments",
        ExperimentRequest.FromJson,
        request => request.Dataset,
        (request, uploads) => RunIds.Experiment(request.Dataset, uploads.Fingerprint, request.Hash()),
        nameof(ExperimentOrchestrator),
        (request, settings) => new ExperimentInput(request, settings),
        cancellationToken,
        request => request.Warnings());

    /// <summary>
    /// What both POSTs do: read and parse the body (problem details for what is wrong), check the dataset has labeled
    /// uploads (404), derive the id from the uploads and the request, and start the orchestration unless it exists.
    /// A failed or terminated one is started again: asking again is how a failed run is retried (its trainer jobs
    /// resume from their checkpoints).
    /// </summary>
    private async Task<IResult> StartAsync<TRequest>(
        HttpRequest http,
        string route,
        Func<string, TRequest> parse,
        Func<TRequest, string> datasetOf,
        Func<TRequest, UploadsSummary, string> idOf,
        string orchestrator,
        Func<TRequest, RunSettings, object> inputOf,
        CancellationToken cancellationToken,
        Func<TRequest, IReadOnlyList<string>>? warningsOf = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var settings = options.Value;
        // The request parsers take a string (storage settings files go through them too); the bytes are valid UTF-8.
        var (parsed, problem) = await JsonRequestReader.ReadAsync<TRequest, RunRequestException>(
            http,
            settings.MaxRequestBytes,
            body => parse(Encoding.UTF8.GetString(body.Span)),
            cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var request = parsed!; // no problem: the reader parsed it

        var dataset = datasetOf(request);
        var uploads = await inspector.InspectAsync(dataset, cancellationToken).ConfigureAwait(false);
        if (uploads.LabeledFiles == 0)
        {
            return HttpProblems.NotFound($"dataset '{dataset}' has no labeled uploads under uploads/labeled/{dataset}/");
        }

        var id = idOf(request, uploads);
        var existing = await client.GetInstanceAsync(id, cancellationToken).ConfigureAwait(false);
        var alreadyStarted = existing is not null && !IsFailed(existing);
        if (!alreadyStarted)
        {
            if (existing is not null)
            {
                await client.PurgeInstanceAsync(id, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, inputOf(request, settings.RunSettings), new StartOrchestrationOptions(id), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The same request posted twice at once: the other one started it in between. Each backend words
                // "already exists" its own way, so the instance itself is the answer: same id, same run, 202 as for a
                // repeat. Anything else is a real failure.
                if (await client.GetInstanceAsync(id, cancellationToken).ConfigureAwait(false) is not { } raced || IsFailed(raced))
                {
                    throw;
                }

                alreadyStarted = true;
            }
        }

        var url = $"{http.Scheme}://{http.Host}/api/{route}/{id}";
        var warnings = warningsOf?.Invoke(request) is { Count: > 0 } w ? w : null;
        return Results.Json(new RunAccepted(id, url, alreadyStarted, warnings), JsonOptions, statusCode: StatusCodes.Status202Accepted);
    }

    private static bool IsFailed(OrchestrationMetadata instance) => instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    /// <summary>GET /api/experiments/{id}: progress while it runs, the comparison (every arm, mean ± std, the best strategy per budget) when done.</summary>
    public async Task<IResult> ExperimentStatusAsync(string id, CancellationToken cancellationToken)
    {
        if (!ValidId(id))
        {
            return HttpProblems.BadRequest($"'{id}' is not an experiment id");
        }

        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (instance is null)
        {
            var result = await JsonBlobs.TryReadAsync<ExperimentResult>(blobs.GetBlobContainerClient(StorageLayout.RunsContainer), StorageLayout.ExperimentRecord(id), RunRecord.JsonOptions, cancellationToken).ConfigureAwait(false);
            return result is null
                ? HttpProblems.NotFound($"no experiment '{id}'")
                : Results.Json(new ExperimentStatusResponse { Id = id, RuntimeStatus = RunStates.Completed, Result = result }, JsonOptions);
        }

        var status = instance.SerializedCustomStatus is { Length: > 0 } ? instance.ReadCustomStatusAs<RunStatus>() : null;
        return Results.Json(new ExperimentStatusResponse
        {
            Id = id,
            RuntimeStatus = instance.RuntimeStatus.ToString(),
            Phase = status?.Phase,
            Percent = status?.Percent,
            Message = status?.Message,
            Error = instance.FailureDetails?.ErrorMessage,
            Result = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<ExperimentResult>() : null,
        }, JsonOptions);
    }

    /// <summary>GET /api/training/{id}: phase, percent, step, loss, ETA, metrics, error and outcome.</summary>
    public async Task<IResult> StatusAsync(string id, CancellationToken cancellationToken)
    {
        if (!ValidId(id))
        {
            return HttpProblems.BadRequest($"'{id}' is not a run id");
        }

        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (instance is null)
        {
            // Not (or no longer) known to the engine: the run record in storage still tells how it ended.
            var record = await JsonBlobs.TryReadAsync<RunRecord>(blobs.GetBlobContainerClient(StorageLayout.RunsContainer), StorageLayout.RunRecord(id), RunRecord.JsonOptions, cancellationToken).ConfigureAwait(false);
            return record is null
                ? HttpProblems.NotFound($"no training run '{id}'")
                : Results.Json(new RunStatusResponse { Id = id, RuntimeStatus = record.State, Error = record.Error, Outcome = record.Outcome, CreatedAt = record.StartedAt, LastUpdatedAt = record.EndedAt }, JsonOptions);
        }

        var status = instance.SerializedCustomStatus is { Length: > 0 } ? instance.ReadCustomStatusAs<RunStatus>() : null;
        return Results.Json(new RunStatusResponse
        {
            Id = id,
            RuntimeStatus = instance.RuntimeStatus.ToString(),
            Phase = status?.Phase,
            Percent = status?.Percent,
            Job = status?.Job,
            Step = status?.Step,
            TotalSteps = status?.TotalSteps,
            Loss = status?.Loss,
            EtaSeconds = status?.EtaSeconds,
            Metrics = status?.Metrics,
            Message = status?.Message,
            Imbalance = status?.Imbalance,
            Error = instance.FailureDetails?.ErrorMessage,
            Outcome = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<RunOutcome>() : null,
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
        }, JsonOptions);
    }

    /// <summary>POST /api/training/{id}/cancel: asks the run to stop (202); 404 unknown, 409 already ended.</summary>
    public async Task<IResult> CancelAsync(HttpRequest http, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!ValidId(id))
        {
            return HttpProblems.BadRequest($"'{id}' is not a run id");
        }

        var instance = await client.GetInstanceAsync(id, cancellationToken).ConfigureAwait(false);
        if (instance is null)
        {
            return HttpProblems.NotFound($"no training run '{id}'");
        }

        if (instance.IsCompleted)
        {
            return HttpProblems.Conflict($"run '{id}' has already ended ({instance.RuntimeStatus})");
        }

        await client.RaiseEventAsync(id, RunIds.CancelEvent, "requested", cancellationToken).ConfigureAwait(false);
        return Results.Json(new RunAccepted(id, $"{http.Scheme}://{http.Host}/api/training/{id}", Existing: true), JsonOptions, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The newest versions listed per model; older ones stay reachable at <c>GET /api/models/{name}/{version}</c>.</summary>
    public const int VersionsPerModel = 20;

    /// <summary>
    /// GET /api/models: models in name order, a page at a time (<c>?limit=</c>, <c>?cursor=</c>, the next page in a
    /// <c>Link</c> header), each with its live version and its <see cref="VersionsPerModel"/> newest versions. Only the
    /// page's models are listed and only the manifests shown are read.
    /// </summary>
    public async Task<IResult> ModelsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PageQuery.TryParse(request.Query, out var page, out var error))
        {
            return HttpProblems.BadRequest(error);
        }

        var container = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        var names = new List<string>();
        if (await container.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            // Top-level folders are model names, listed in name order without listing any version's files.
            await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, delimiter: "/", prefix: null, cancellationToken).ConfigureAwait(false))
            {
                if (item.IsPrefix && item.Prefix.TrimEnd('/') is var name && (page.After is null || string.CompareOrdinal(name, page.After.Name) > 0))
                {
                    names.Add(name);
                    if (names.Count > page.Limit)
                    {
                        break;
                    }
                }
            }
        }

        var summaries = new List<ModelSummary>();
        foreach (var name in names.Take(page.Limit))
        {
            // A folder with neither a readable pointer nor a readable version (all skipped, with a log line) is no model.
            if (await ModelAsync(container, name, cancellationToken).ConfigureAwait(false) is { } model && (model.Live is not null || model.Versions.Count > 0))
            {
                summaries.Add(model);
            }
        }

        IResult result = Results.Json(summaries, JsonOptions);
        return names.Count > page.Limit ? new WithHeaders(result, ("Link", page.NextLink("/api/models", new PageCursor(DateTimeOffset.MinValue, names[page.Limit - 1])))) : result;
    }

    private async Task<ModelSummary> ModelAsync(BlobContainerClient container, string model, CancellationToken cancellationToken)
    {
        var newest = new NewestFirst(VersionsPerModel);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: model + "/", cancellationToken).ConfigureAwait(false))
        {
            if (blob.Name.Split('/') is [_, _, "package.json"] && blob.Properties.LastModified is { } modified)
            {
                newest.Offer(modified, blob.Name);
            }
        }

        var live = await JsonBlobs.TryReadListedAsync<LiveModel>(container, $"{model}/live.json", LiveModel.JsonOptions, LogSkipped, cancellationToken).ConfigureAwait(false);
        var versions = new List<ModelVersionSummary>();
        foreach (var (_, blob) in newest.InOrder())
        {
            var version = blob.Split('/')[1];
            try
            {
                var manifest = JsonNode.Parse((await container.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString());
                versions.Add(new ModelVersionSummary(
                    version,
                    manifest?["created_at"]?.GetValue<DateTimeOffset>(),
                    manifest?["labels"]?.AsArray().Select(l => l?.GetValue<string>() ?? "").ToList(),
                    PackageMetrics(manifest?["metrics"]?.AsObject()),
                    IsLive: live?.Version == version));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // One broken manifest must not hide every model: skip it, say which.
                LogSkipped(blob, e.Message);
            }
        }

        return new ModelSummary(model, live, [.. versions.OrderBy(v => v.CreatedAt)]);
    }

    /// <summary>
    /// A package manifest flattens metrics.json (<c>metrics.test.accuracy</c>, <c>steps</c>, ...): the API shows the
    /// metrics under the names the trainer's events and the live pointer use (<c>test.accuracy</c>).
    /// </summary>
    private static Dictionary<string, double>? PackageMetrics(JsonObject? flattened) =>
        flattened?.Where(p => p.Key.StartsWith("metrics.", StringComparison.Ordinal) && p.Value is not null)
            .ToDictionary(p => p.Key["metrics.".Length..], p => p.Value!.GetValue<double>(), StringComparer.Ordinal);

    /// <summary>Run and experiment ids in routes: what <see cref="RunIds"/> makes, checked before they reach storage.</summary>
    internal static bool ValidId(string id) => id.Length is >= 1 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Blob}: not a valid record ({Reason})")]
    private partial void LogSkipped(string blob, string reason);
}
