using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>A result with response headers added (X-Model-Version, Retry-After, Link); the built-in results take none.</summary>
/// <param name="inner">The result to write after the headers.</param>
/// <param name="headers">The headers to set, replacing any of the same name.</param>
public sealed class WithHeaders(IResult inner, params (string Name, string Value)[] headers) : IResult, IStatusCodeHttpResult
{
    /// <summary>The result written after the headers.</summary>
    public IResult Inner { get; } = inner;

    /// <summary>The headers set before <see cref="Inner"/> runs.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; } = headers;

    /// <summary>The inner result's status, so tests and filters see through the wrapper.</summary>
    public int? StatusCode => (Inner as IStatusCodeHttpResult)?.StatusCode;

    /// <summary>Sets the headers, then writes the inner result.</summary>
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
