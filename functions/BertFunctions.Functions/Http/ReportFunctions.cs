using BertFunctions.Orchestration.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BertFunctions.Functions.Http;

/// <summary>
/// The pages: <c>GET /api/experiments/{id}/report</c> (and its plots), a run's confusion-matrix plots, <c>GET /api/runs</c>, and
/// <c>GET /api/models/{name}/{version}</c>, the package manifest the pages link to. The work is <see cref="ReportsApi"/>.
/// </summary>
public sealed class ReportFunctions(ReportsApi api)
{
    [Function("ExperimentReport")]
    public async Task<IActionResult> Report([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "experiments/{id}/report")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.ExperimentReportAsync(id, cancellationToken).ConfigureAwait(false));

    [Function("ExperimentPlot")]
    public async Task<IActionResult> Plot([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "experiments/{id}/report/{file}")] HttpRequest request, string id, string file, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.ExperimentPlotAsync(id, file, cancellationToken).ConfigureAwait(false));

    [Function("RunPlot")]
    public async Task<IActionResult> RunPlot([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "training/{id}/report/{file}")] HttpRequest request, string id, string file, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.RunPlotAsync(id, file, cancellationToken).ConfigureAwait(false));

    [Function("RunsPage")]
    public async Task<IActionResult> Runs([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "runs")] HttpRequest request, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.RunsPageAsync(request, cancellationToken).ConfigureAwait(false));

    [Function("ModelPackage")]
    public async Task<IActionResult> Package([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/{version}")] HttpRequest request, string name, string version, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.ModelPackageAsync(name, version, cancellationToken).ConfigureAwait(false));
}
