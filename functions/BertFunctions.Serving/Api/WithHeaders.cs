using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace BertFunctions.Serving.Api;

/// <summary>A result with response headers added (X-Model-Version, Retry-After); the built-in results take none.</summary>
internal sealed class WithHeaders(IResult inner, params (string Name, string Value)[] headers) : IResult, IStatusCodeHttpResult
{
    public IResult Inner { get; } = inner;

    public IReadOnlyList<(string Name, string Value)> Headers { get; } = headers;

    public int? StatusCode => (Inner as IStatusCodeHttpResult)?.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        foreach (var (name, value) in Headers)
        {
            httpContext.Response.Headers[name] = value;
        }

        return Inner.ExecuteAsync(httpContext);
    }
}
