using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http.Tests;

/// <summary>The wording clients and tests rely on, one per status.</summary>
public sealed class HttpProblemsTests
{
    [Fact]
    public async Task Each_problem_has_its_status_title_and_detail()
    {
        await Problem.AssertAsync(HttpProblems.BadRequest("use a, b or c"), 400, "The request is not valid", "use a, b or c");
        await Problem.AssertAsync(HttpProblems.NotFound("no run 'x'"), 404, "Not found", "no run 'x'");
        await Problem.AssertAsync(HttpProblems.Conflict("run 'x' has ended"), 409, "Conflict", "run 'x' has ended");
        await Problem.AssertAsync(HttpProblems.TooLarge(65536), 413, "Request body too large", "the request body is larger than the limit of 65536 bytes");
        await Problem.AssertAsync(HttpProblems.UnsupportedMediaType("text/plain"), 415, "Unsupported media type", "send the body as application/json, not 'text/plain'");
    }

    [Fact]
    public async Task Unavailable_is_a_503_with_retry_after_in_whole_seconds_rounded_up()
    {
        var result = HttpProblems.Unavailable("No model available", "model 'spam' is loading", TimeSpan.FromSeconds(4.2));
        Assert.Equal(503, Assert.IsType<WithHeaders>(result).StatusCode);
        await Problem.AssertAsync(result, 503, "No model available", "model 'spam' is loading");
        var (_, _, _, headers) = await Problem.WriteAsync(result);
        Assert.Equal("5", headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_server_refusal_outside_4xx_is_still_a_400()
    {
        await Problem.AssertAsync(HttpProblems.FromServer(new BadHttpRequestException("odd", StatusCodes.Status500InternalServerError)), 400, "The request is not valid", "odd");
    }
}
