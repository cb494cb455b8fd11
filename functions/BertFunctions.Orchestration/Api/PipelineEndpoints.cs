using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BertFunctions.Orchestration.Api;

/// <summary>The routes of the training API for an ASP.NET Core host (the local host); the Functions app declares the same routes as HTTP triggers.</summary>
public static class PipelineEndpoints
{
    public static IEndpointRouteBuilder MapTrainingApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/training", (HttpRequest request, TrainingApi api, CancellationToken ct) => api.StartAsync(request, ct));
        app.MapGet("/api/training/{id}", (string id, TrainingApi api, CancellationToken ct) => api.StatusAsync(id, ct));
        app.MapGet("/api/training/{id}/report/{file}", (string id, string file, ReportsApi api, CancellationToken ct) => api.RunPlotAsync(id, file, ct));
        app.MapPost("/api/training/{id}/cancel", (HttpRequest request, string id, TrainingApi api, CancellationToken ct) => api.CancelAsync(request, id, ct));
        app.MapGet("/api/models", (HttpRequest request, TrainingApi api, CancellationToken ct) => api.ModelsAsync(request, ct));
        app.MapPost("/api/experiments", (HttpRequest request, TrainingApi api, CancellationToken ct) => api.StartExperimentAsync(request, ct));
        app.MapGet("/api/experiments/{id}", (string id, TrainingApi api, CancellationToken ct) => api.ExperimentStatusAsync(id, ct));
        app.MapGet("/api/experiments/{id}/report", (string id, ReportsApi api, CancellationToken ct) => api.ExperimentReportAsync(id, ct));
        app.MapGet("/api/experiments/{id}/report/{file}", (string id, string file, ReportsApi api, CancellationToken ct) => api.ExperimentPlotAsync(id, file, ct));
        app.MapGet("/api/runs", (HttpRequest request, ReportsApi api, CancellationToken ct) => api.RunsPageAsync(request, ct));
        app.MapGet("/api/models/{name}/{version}", (string name, string version, ReportsApi api, CancellationToken ct) => api.ModelPackageAsync(name, version, ct));
        return app;
    }
}
