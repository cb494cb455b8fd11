using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BertFunctions.Http.Tests;

/// <summary>Runs a result against a fresh response, as the host would, and reads back what a client sees.</summary>
internal static class Problem
{
    public static async Task<(int Status, string? ContentType, JsonElement Body, IHeaderDictionary Headers)> WriteAsync(IResult result)
    {
        // Problem results resolve their writer from the request's services, as in a real host.
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        body.Position = 0;
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: TestContext.Current.CancellationToken);
        return (context.Response.StatusCode, context.Response.ContentType, json.RootElement.Clone(), context.Response.Headers);
    }

    /// <summary>Asserts an RFC 7807 body with the status, title and detail; returns the detail.</summary>
    public static async Task<string> AssertAsync(IResult? result, int status, string title, string detail)
    {
        Assert.NotNull(result);
        var (actual, contentType, body, _) = await WriteAsync(result);
        Assert.Equal(status, actual);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Equal(title, body.GetProperty("title").GetString());
        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.", body.GetProperty("type").GetString(), StringComparison.Ordinal);
        var text = body.GetProperty("detail").GetString()!;
        Assert.Contains(detail, text, StringComparison.Ordinal);
        return text;
    }
}
