using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Http.Tests;

/// <summary>Reading and parsing: the parser's refusals and malformed JSON are 400s with the reason, never 500s.</summary>
public sealed class JsonRequestReaderTests
{
    private const int Limit = 1024;

    private static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_body_is_parsed()
    {
        var (request, problem) = await ReadAsync("{\"text\": \"hello\"}");
        Assert.Null(problem);
        Assert.Equal(new Sample("hello"), request);
    }

    [Fact]
    public async Task The_parsers_refusal_is_a_400_with_its_message()
    {
        var (request, problem) = await JsonRequestReader.ReadAsync<Sample, SampleException>(
            Requests.Json("{}"u8.ToArray()), Limit, _ => throw new SampleException("field text is missing"), Ct);
        Assert.Null(request);
        var detail = await Problem.AssertAsync(problem, 400, "The request is not valid", "field text is missing");
        Assert.Equal("field text is missing", detail);
    }

    [Theory]
    [InlineData("{\"text\": ", "the request body is not valid JSON")]
    [InlineData("{\"text\": \"a\",}", "the request body is not valid JSON")]
    [InlineData("", "the request body is not valid JSON")] // empty: the parser sees no JSON tokens
    [InlineData("{\"text\": \"a\", \"label\": \"spam\"}", "label")] // unknown fields, where the parser refuses them
    public async Task Malformed_json_that_the_parser_lets_through_is_a_400_not_a_500(string body, string detail)
    {
        var (request, problem) = await ReadAsync(body);
        Assert.Null(request);
        await Problem.AssertAsync(problem, 400, "The request is not valid", detail);
    }

    [Fact]
    public async Task The_readers_problems_come_before_the_parser_runs()
    {
        var parsed = false;
        var (_, problem) = await JsonRequestReader.ReadAsync<Sample, SampleException>(
            Requests.Json(Encoding.UTF8.GetBytes("{\"text\": \"" + new string('a', Limit) + "\"}")), Limit, _ => { parsed = true; return new Sample("x"); }, Ct);
        await Problem.AssertAsync(problem, 413, "Request body too large", "larger than the limit");
        Assert.False(parsed);
    }

    [Fact]
    public async Task Other_exceptions_of_the_parser_are_not_turned_into_400s()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => JsonRequestReader.ReadAsync<Sample, SampleException>(
            Requests.Json("{}"u8.ToArray()), Limit, _ => throw new InvalidOperationException("a bug"), Ct));
    }

    private static Task<JsonRequest<Sample>> ReadAsync(string body) =>
        JsonRequestReader.ReadAsync<Sample, SampleException>(Requests.Json(Encoding.UTF8.GetBytes(body)), Limit, b => JsonSerializer.Deserialize<Sample>(b.Span, Strict)!, Ct);

    internal sealed record Sample(string Text);

    internal sealed class SampleException(string message) : Exception(message);
}
