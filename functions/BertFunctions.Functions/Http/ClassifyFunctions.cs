using BertFunctions.Serving.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BertFunctions.Functions.Http;

/// <summary>
/// <c>POST /api/classify</c> and <c>GET /api/classify/health</c>: the live model on ONNX Runtime
/// (<see cref="ClassifyApi"/>, which the local host maps to the same routes). Function keys protect them in Azure.
/// </summary>
public sealed class ClassifyFunctions(ClassifyApi api)
{
    [Function("Classify")]
    public async Task<IActionResult> Classify([HttpTrigger(AuthorizationLevel.Function, "post", Route = "classify")] HttpRequest request, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.ClassifyAsync(request, cancellationToken).ConfigureAwait(false));

    [Function("ClassifyHealth")]
    public async Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Function, "get", Route = "classify/health")] HttpRequest request, CancellationToken cancellationToken) =>
        new ResultActionResult(await api.HealthAsync(cancellationToken).ConfigureAwait(false));
}
