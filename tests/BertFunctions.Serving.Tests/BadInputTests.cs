using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BertFunctions.Serving.Tests;

/// <summary>Every kind of bad request is a 4xx with problem details that say what is wrong, never a 500.</summary>
public sealed class BadInputTests(InputsHost fixture) : IClassFixture<InputsHost>
{
    private ServingHost Host => fixture.Host;

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("[\"a text\"]", "must be a JSON object")]
    [InlineData("\"a text\"", "must be a JSON object")]
    [InlineData("{}", "has no 'text'")]
    [InlineData("{\"text\": 5}", "'text' must be a string, not a number")]
    [InlineData("{\"text\": null}", "'text' must be a string, not null")]
    [InlineData("{\"text\": [\"a\"]}", "'text' must be a string, not an array")]
    [InlineData("{\"texts\": \"a text\"}", "'texts' must be an array of strings, not a string")]
    [InlineData("{\"texts\": [\"fine\", 5]}", "'texts[1]' must be a string, not a number")]
    [InlineData("{\"texts\": [\"fine\", {\"text\": \"x\"}]}", "'texts[1]' must be a string, not an object")]
    [InlineData("{\"text\": \"\"}", "'text' is empty")]
    [InlineData("{\"text\": \" \\n\\t \"}", "'text' is empty")]
    [InlineData("{\"texts\": [\"fine\", \"\"]}", "'texts[1]' is empty")]
    [InlineData("{\"texts\": []}", "'texts' is empty")]
    [InlineData("{\"text\": \"a\", \"texts\": [\"b\"]}", "not both")]
    [InlineData("{\"text\": \"a\", \"label\": \"spam\"}", "unknown field 'label'")]
    [InlineData("{\"text\": \"a\", \"text\": \"b\"}", "appears twice")]
    [InlineData("{\"text\": \"a\", \"top_k\": 0}", "'top_k' must be a whole number of at least 1")]
    [InlineData("{\"text\": \"a\", \"top_k\": 1.5}", "'top_k' must be a whole number")]
    [InlineData("{\"text\": \"a\", \"top_k\": \"2\"}", "'top_k' must be a whole number")]
    [InlineData("{\"text\": \"a\", \"top_k\": 99999999999}", "'top_k' must be a whole number")]
    [InlineData("{\"text\": \"a\", \"model\": 7}", "'model' must be a string, not a number")]
    [InlineData("{\"text\": \"a\", \"model\": \"\"}", "'model' is empty")]
    [InlineData("{\"text\": \"a\", \"model\": \"Spam_Filter\"}", "invalid model name 'Spam_Filter'")]
    [InlineData("{\"text\": \"a\", \"model\": \"spam/v1/extra\"}", "neither NAME nor NAME/VERSION")]
    [InlineData("{\"text\": \"a\", \"model\": \"spam/v1..2\"}", "invalid model version")]
    [InlineData("{\"text\": \"\\ud800 lone surrogate\"}", "not valid Unicode")]
    [InlineData("{\"text\": \"a\"} {\"text\": \"b\"}", "not valid JSON")]
    [InlineData("{\"text\": \"a\",}", "not valid JSON")]
    [InlineData("{\"text\": \"a\" /* comment */}", "not valid JSON")]
    [InlineData("{\"text\": \"a\", \"model\": [[[[[[[[[[\"deep\"]]]]]]]]]]}", "'model' must be a string, not an array")]
    public async Task A_malformed_request_is_a_400_naming_the_problem(string body, string expected)
    {
        var problem = await ProblemAsync(await Host.PostJsonAsync(body, TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var body = Encoding.UTF8.GetBytes("{\"text\": \"caf\u00e9 ").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        var problem = await ProblemAsync(await Host.PostAsync(body, "application/json", TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        Assert.Contains("not valid UTF-8", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_texts_is_a_400_and_the_limit_itself_is_fine()
    {
        var ct = TestContext.Current.CancellationToken;
        var problem = await ProblemAsync(await Host.PostJsonAsync(JsonSerializer.Serialize(new { texts = Enumerable.Repeat("hello", 65) }), ct), HttpStatusCode.BadRequest);
        Assert.Contains("too many texts: at most 64", problem, StringComparison.Ordinal);

        var (response, _) = await Host.ClassifyAsync(Enumerable.Range(0, 64).Select(i => $"text number {i}"), model: null, ct);
        Assert.Equal(64, response.Results.Count);
    }

    [Fact]
    public async Task A_text_over_the_character_limit_is_clipped_to_head_and_tail_flagged_and_classified_as_the_whole_text_would_be()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = string.Concat(Enumerable.Repeat("cheap pills online now ", 400));
        var tail = string.Concat(Enumerable.Repeat("meeting notes for the team ", 400));
        var whole = head + string.Concat(Enumerable.Repeat("filler words in the middle ", 2_000)) + tail;
        Assert.True(whole.Length > 20_000);

        // The model reads only the head and the tail of a long text, so the same head and tail around a short middle
        // (under the limit, not clipped) must give the same answer.
        var (long_, _) = await Host.ClassifyAsync([whole], model: null, ct);
        var (reference, _) = await Host.ClassifyAsync([head + "a short middle " + tail], model: null, ct);
        Assert.True(long_.Results[0].Truncated);
        Assert.Equal(reference.Results[0].Probabilities, long_.Results[0].Probabilities);

        // Escapes count as the characters they stand for, not their bytes: 20,000 escaped characters are fine.
        var escaped = "{\"text\": \"" + string.Concat(Enumerable.Repeat("\\u00e9 ", 10_000)) + "\"}";
        using var ok = await Host.PostJsonAsync(escaped, ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(JsonDocument.Parse(await ok.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("results")[0].GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_with_or_without_a_content_length()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = Encoding.UTF8.GetBytes("{\"text\": \"" + new string('a', 2 * 1024 * 1024) + "\"}");
        await ProblemAsync(await Host.PostAsync(body, "application/json", ct), HttpStatusCode.RequestEntityTooLarge);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/classify") { Content = new StreamContent(new UnknownLengthStream(body)) };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        var problem = await ProblemAsync(await Host.Client.SendAsync(chunked, ct), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("larger than the limit of 2097152 bytes", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        var problem = await ProblemAsync(await Host.PostAsync(Encoding.UTF8.GetBytes("text=hello"), "application/x-www-form-urlencoded", TestContext.Current.CancellationToken), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_without_a_package_is_a_404()
    {
        var problem = await ProblemAsync(await Host.PostJsonAsync("{\"text\": \"a\", \"model\": \"inputs/v404\"}", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
        Assert.Contains("model package inputs/v404 does not exist", problem, StringComparison.Ordinal);
    }

    /// <summary>Asserts the status and an RFC 7807 body; returns its detail.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            return problem.GetProperty("detail").GetString()!;
        }
    }

    /// <summary>A stream whose length HttpClient cannot know, so the body goes chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
