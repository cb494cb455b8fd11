using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Http;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Orchestration.Api;

/// <summary>
/// The pages people look at: an experiment's report and its plots (stored in blob by the experiment), the runs page
/// (built from the records on each request), and a model package's manifest (what the pages link to). Host-agnostic,
/// like <see cref="TrainingApi"/>; bad ids and unknown files are 400/404 problem details.
/// </summary>
public sealed partial class ReportsApi(BlobServiceClient blobs, ILogger<ReportsApi> logger)
{
    /// <summary>GET /api/experiments/{id}/report: the report page (404 until the experiment has finished).</summary>
    public Task<IResult> ExperimentReportAsync(string id, CancellationToken cancellationToken) =>
        TrainingApi.ValidId(id)
            ? ServeAsync(StorageLayout.RunsContainer, StorageLayout.ExperimentReport(id, ExperimentReportWriter.Page), $"experiment '{id}' has no report (it is unknown or still running)", cancellationToken)
            : Task.FromResult(HttpProblems.BadRequest($"'{id}' is not an experiment id"));

    /// <summary>GET /api/experiments/{id}/report/{file}: one of the report's PNG plots.</summary>
    public Task<IResult> ExperimentPlotAsync(string id, string file, CancellationToken cancellationToken)
    {
        if (!TrainingApi.ValidId(id))
        {
            return Task.FromResult(HttpProblems.BadRequest($"'{id}' is not an experiment id"));
        }

        return ExperimentPlots.Files.Contains(file)
            ? ServeAsync(StorageLayout.RunsContainer, StorageLayout.ExperimentReport(id, file), $"experiment '{id}' has no {file}", cancellationToken)
            : Task.FromResult(HttpProblems.NotFound($"a report has no file '{file}'; its plots are {string.Join(", ", ExperimentPlots.Files)}"));
    }

    /// <summary>
    /// GET /api/training/{id}/report/{file}: the confusion matrix of a finished run on a split as PNG
    /// (<c>confusion-test.png</c>, <c>confusion-validation.png</c>), drawn from the run record's class report.
    /// </summary>
    public async Task<IResult> RunPlotAsync(string id, string file, CancellationToken cancellationToken)
    {
        if (!TrainingApi.ValidId(id))
        {
            return HttpProblems.BadRequest($"'{id}' is not a run id");
        }

        if (ConfusionMatrixPlot.SplitOf(file) is not { } split)
        {
            return HttpProblems.NotFound($"a run has no file '{file}'; its plots are {string.Join(", ", ClassReports.Splits.Select(ConfusionMatrixPlot.FileOf))}");
        }

        var record = await JsonBlobs.TryReadAsync<RunRecord>(blobs.GetBlobContainerClient(StorageLayout.RunsContainer), StorageLayout.RunRecord(id), RunRecord.JsonOptions, cancellationToken).ConfigureAwait(false);
        return record?.Outcome?.ClassReports?.GetValueOrDefault(split) is { } report
            ? new PageResult(ConfusionMatrixPlot.Render(report, $"Run {id}: confusion matrix on the {split} split ({report.Count} examples)"), "image/png")
            : HttpProblems.NotFound($"run '{id}' has no per-class results on the {split} split (it is unknown, has not finished, or its job did not report them)");
    }

    /// <summary>GET /api/runs: runs and experiments, the latest change first, a page at a time, and the live models.</summary>
    /// <remarks>
    /// A client that accepts <c>application/json</c> and not <c>text/html</c> (the CLI, scripts) gets the same list as
    /// JSON (<see cref="RunList"/>). <c>?limit=</c> and <c>?cursor=</c> page it (<see cref="PageQuery"/>); the next
    /// page is in <c>next</c> and in a <c>Link</c> header.
    /// </remarks>
    public async Task<IResult> RunsPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PageQuery.TryParse(request.Query, out var page, out var error))
        {
            return HttpProblems.BadRequest(error);
        }

        var contents = await RunsPage.LoadAsync(blobs, page, LogSkipped, cancellationToken).ConfigureAwait(false);
        var accept = request.Headers.Accept.ToString();
        IResult result = accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase)
            ? Results.Json(RunList.Of(contents), TrainingApi.JsonOptions)
            : new PageResult(System.Text.Encoding.UTF8.GetBytes(RunsPage.Render(contents)), "text/html; charset=utf-8");
        return contents.Next is { } next ? new WithHeaders(result, ("Link", page.NextLink("/api/runs", next))) : result;
    }

    /// <summary>GET /api/models/{name}/{version}: the package's manifest (files with sizes and SHA-256, labels, metrics).</summary>
    public Task<IResult> ModelPackageAsync(string name, string version, CancellationToken cancellationToken)
    {
        string manifest;
        try
        {
            manifest = $"{BlobNames.Dataset(name)}/{BlobNames.Version(version)}/package.json";
        }
        catch (ArgumentException e)
        {
            return Task.FromResult(HttpProblems.BadRequest(e.Message));
        }

        return ServeAsync(StorageLayout.ModelsContainer, manifest, $"no model package {name}/{version}", cancellationToken);
    }

    private async Task<IResult> ServeAsync(string container, string blob, string notFound, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blobs.GetBlobContainerClient(container).GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var type = content.Value.Details.ContentType is { Length: > 0 } t ? t : "application/json";
            return new PageResult(content.Value.Content.ToArray(), type);
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return HttpProblems.NotFound(notFound);
        }
    }

    /// <summary>Bytes with their content type, and headers that keep a stored page inert: no scripts, no sniffing, no framing.</summary>
    private sealed class PageResult(byte[] body, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var response = httpContext.Response;
            response.ContentType = contentType;
            response.ContentLength = body.Length;
            response.Headers["Content-Security-Policy"] = Html.ContentSecurityPolicy;
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers["X-Frame-Options"] = "DENY";
            response.Headers.CacheControl = "no-cache";
            await response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Blob}: not a valid record ({Reason})")]
    private partial void LogSkipped(string blob, string reason);
}
