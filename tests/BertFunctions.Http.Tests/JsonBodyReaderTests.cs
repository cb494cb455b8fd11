using System.Text;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http.Tests;

/// <summary>The body reader: limits, content type, UTF-8 and the server's own refusals, each a problem, never an exception.</summary>
public sealed class JsonBodyReaderTests
{
    private const int Limit = 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_body_within_the_limit_is_read_whole_even_a_byte_at_a_time_and_without_a_content_length()
    {
        // Over the reader's first buffer (16 KiB without a Content-Length), so it must grow; exactly the limit is fine.
        const int large = 64 * 1024;
        var prefix = Encoding.UTF8.GetBytes("{\"text\": \"caf\u00e9\"}");
        var json = prefix.Concat(Enumerable.Repeat((byte)' ', large - prefix.Length)).ToArray();
        var (body, problem) = await JsonBodyReader.ReadAsync(Requests.With(new TrickleStream(json), contentLength: null), large, Ct);
        Assert.Null(problem);
        Assert.Equal(json, body.ToArray());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_whether_its_content_length_says_so_or_not()
    {
        var json = Encoding.UTF8.GetBytes("{\"text\": \"" + new string('a', Limit) + "\"}");
        var declared = await JsonBodyReader.ReadAsync(Requests.Json(json), Limit, Ct);
        Assert.Equal(0, declared.Utf8.Length);
        await Problem.AssertAsync(declared.Problem, 413, "Request body too large", $"the request body is larger than the limit of {Limit} bytes");

        // Chunked, or a Content-Length that understates the body: the reader stops one byte past the limit.
        foreach (var length in new long?[] { null, 10 })
        {
            var (_, problem) = await JsonBodyReader.ReadAsync(Requests.With(new TrickleStream(json), length), Limit, Ct);
            await Problem.AssertAsync(problem, 413, "Request body too large", $"larger than the limit of {Limit} bytes");
        }
    }

    [Fact]
    public async Task An_empty_body_is_no_problem_of_the_readers_but_an_empty_body_for_the_parser()
    {
        foreach (var length in new long?[] { 0, null })
        {
            var (body, problem) = await JsonBodyReader.ReadAsync(Requests.Json([], length), Limit, Ct);
            Assert.Null(problem);
            Assert.True(body.IsEmpty);
        }
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain; charset=utf-8")]
    public async Task A_body_sent_as_something_other_than_json_is_a_415(string contentType)
    {
        var (_, problem) = await JsonBodyReader.ReadAsync(Requests.Json("text=hello"u8.ToArray(), contentType: contentType), Limit, Ct);
        await Problem.AssertAsync(problem, 415, "Unsupported media type", $"send the body as application/json, not '{contentType}'");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    [InlineData(null)]
    public async Task Json_content_types_and_none_are_read(string? contentType)
    {
        var (body, problem) = await JsonBodyReader.ReadAsync(Requests.Json("{}"u8.ToArray(), contentType: contentType), Limit, Ct);
        Assert.Null(problem);
        Assert.Equal("{}"u8.ToArray(), body.ToArray());
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var (_, problem) = await JsonBodyReader.ReadAsync(Requests.Json([(byte)'{', 0xC3, 0x28, (byte)'}']), Limit, Ct);
        await Problem.AssertAsync(problem, 400, "The request is not valid", "the request body is not valid UTF-8");
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_skipped()
    {
        var (body, problem) = await JsonBodyReader.ReadAsync(Requests.Json([0xEF, 0xBB, 0xBF, .. "{}"u8]), Limit, Ct);
        Assert.Null(problem);
        Assert.Equal("{}"u8.ToArray(), body.ToArray());
    }

    [Fact]
    public async Task A_body_the_client_cuts_short_is_the_servers_400()
    {
        var failure = new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);
        var (_, problem) = await JsonBodyReader.ReadAsync(Requests.With(new FailingStream("{\"te"u8.ToArray(), failure), contentLength: 100), Limit, Ct);
        await Problem.AssertAsync(problem, 400, "The request is not valid", "Unexpected end of request content.");
    }

    [Fact]
    public async Task A_body_over_the_servers_own_limit_is_the_servers_413()
    {
        var failure = new BadHttpRequestException("Request body too large. The max request body size is 30000000 bytes.", StatusCodes.Status413PayloadTooLarge);
        var (_, problem) = await JsonBodyReader.ReadAsync(Requests.With(new FailingStream("{"u8.ToArray(), failure), contentLength: null), Limit, Ct);
        await Problem.AssertAsync(problem, 413, "Request body too large", "The max request body size is 30000000 bytes.");
    }

    [Fact]
    public async Task Cancellation_is_not_a_problem_but_a_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => JsonBodyReader.ReadAsync(Requests.Json("{}"u8.ToArray()), Limit, cancelled.Token));
    }
}
