using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BertFunctions.Functions.Http;

/// <summary><c>GET /api/health</c>: liveness of the Functions worker (no dependencies touched).</summary>
public sealed class HealthFunction
{
    [Function("Health")]
    public static IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new OkObjectResult(new { status = "ok", version = typeof(HealthFunction).Assembly.GetName().Version?.ToString() });
    }
}
