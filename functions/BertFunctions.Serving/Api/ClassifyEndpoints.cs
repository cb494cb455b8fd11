using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BertFunctions.Serving.Api;

/// <summary>The routes of the classification API for an ASP.NET Core host (the local host); the Functions app declares the same routes as HTTP triggers.</summary>
public static class ClassifyEndpoints
{
    public static IEndpointRouteBuilder MapClassifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/classify", (HttpRequest request, ClassifyApi api, CancellationToken ct) => api.ClassifyAsync(request, ct));
        app.MapGet("/api/classify/health", (ClassifyApi api, CancellationToken ct) => api.HealthAsync(ct));
        return app;
    }
}
