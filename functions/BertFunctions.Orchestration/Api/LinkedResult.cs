using Microsoft.AspNetCore.Http;

namespace BertFunctions.Orchestration.Api;

/// <summary>A result with a <c>Link</c> header (RFC 8288) to the next page, as paged HTTP APIs give it.</summary>
internal sealed class LinkedResult(IResult inner, string link) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.Link = link;
        return inner.ExecuteAsync(httpContext);
    }
}
