using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.LocalHost.Tests;

/// <summary>Bad input over HTTP: a 4xx with RFC 7807 problem details that says what is wrong, never a 500.</summary>
public sealed class BadInputTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    public static TheoryData<string, string, HttpStatusCode, string> Cases => new()
    {
        { "{\"dataset\": ", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "[1, 2]", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "{\"dataset\": \"spam\", \"strategy\": \"magic\"}", "application/json", HttpStatusCode.BadRequest, "$.strategy" },
        { "{\"dataset\": \"spam\", \"learning_rate\": 1}", "application/json", HttpStatusCode.BadRequest, "learning_rate" },
        { "{\"strategy\": \"dapt\"}", "application/json", HttpStatusCode.BadRequest, "dataset" },
        { "{\"dataset\": \"../etc\"}", "application/json", HttpStatusCode.BadRequest, "invalid dataset name" },
        { "{\"dataset\": \"spam\", \"fine_tuning\": {\"batch_size\": 0}}", "application/json", HttpStatusCode.BadRequest, "batch_size" },
        { "{\"dataset\": \"spam\", \"reading\": {\"max_line_bytes\": 2147483647}}", "application/json", HttpStatusCode.BadRequest, "MaxLineBytes must be 1 to 67,108,864" },
        { "{\"dataset\": \"no-such-dataset\"}", "application/json", HttpStatusCode.NotFound, "no labeled uploads" },
        { "dataset=spam", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "application/json" },
        { "{\"dataset\": \"spam\", \"model\": \"" + new string('a', 70_000) + "\"}", "application/json", HttpStatusCode.RequestEntityTooLarge, "larger than the limit" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_training_with_bad_input_is_a_problem_details_4xx(string body, string contentType, HttpStatusCode expected, string detail)
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        var response = await host.Http.PostAsync("/api/training", content, TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, expected, detail);
    }

    [Fact]
    public async Task The_same_request_posted_many_times_at_once_is_one_run_and_never_a_500()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: false);
        await fixture.UploadSpamAsync("twice", perLabel: 4);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var content = new StringContent("{\"dataset\": \"twice\", \"seed\": 7}", Encoding.UTF8, "application/json"); // not the upload-driven run's request
            var response = await host.Http.PostAsync("/api/training", content, ct);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(ct));
        }));

        Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"{r.StatusCode}: {r.Body}"));
        var accepted = responses.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Single(accepted.Select(a => a.GetProperty("id").GetString()).Distinct());
        Assert.Contains(accepted, a => !a.GetProperty("existing").GetBoolean()); // one of them started it
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        using var content = new ByteArrayContent([(byte)'{', 0xC3, 0x28, (byte)'}']);
        content.Headers.ContentType = new("application/json");
        await AssertProblemAsync(await host.Http.PostAsync("/api/training", content, TestContext.Current.CancellationToken), HttpStatusCode.BadRequest, "UTF-8");
    }

    [Fact]
    public async Task Unknown_runs_are_404_invalid_ids_400_and_models_start_empty()
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        var ct = TestContext.Current.CancellationToken;
        await AssertProblemAsync(await host.Http.GetAsync("/api/training/no-such-run", ct), HttpStatusCode.NotFound, "no training run");
        await AssertProblemAsync(await host.Http.GetAsync("/api/training/bad%20id", ct), HttpStatusCode.BadRequest, "not a run id");
        await AssertProblemAsync(await host.Http.PostAsync("/api/training/no-such-run/cancel", null, ct), HttpStatusCode.NotFound, "no training run");
        var models = await host.Http.GetFromJsonAsync<JsonElement>("/api/models", ct);
        Assert.Equal(JsonValueKind.Array, models.ValueKind);
    }

    [Fact]
    public async Task Report_pages_answer_bad_ids_and_unknown_files_with_problem_details_and_the_runs_page_renders_empty()
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        var ct = TestContext.Current.CancellationToken;
        await AssertProblemAsync(await host.Http.GetAsync("/api/experiments/no-such-experiment/report", ct), HttpStatusCode.NotFound, "has no report");
        await AssertProblemAsync(await host.Http.GetAsync("/api/experiments/bad%20id/report", ct), HttpStatusCode.BadRequest, "not an experiment id");
        await AssertProblemAsync(await host.Http.GetAsync("/api/experiments/exp-x/report/run.json", ct), HttpStatusCode.NotFound, "no file 'run.json'");
        await AssertProblemAsync(await host.Http.GetAsync("/api/experiments/exp-x/report/..%2Fexperiment.json", ct), HttpStatusCode.NotFound, "no file");
        await AssertProblemAsync(await host.Http.GetAsync("/api/experiments/exp-x/report/quality.png", ct), HttpStatusCode.NotFound, "has no quality.png");
        await AssertProblemAsync(await host.Http.GetAsync("/api/models/Bad_Name/v1", ct), HttpStatusCode.BadRequest, "Bad_Name");
        await AssertProblemAsync(await host.Http.GetAsync("/api/models/spam/no-such-version", ct), HttpStatusCode.NotFound, "no model package spam/no-such-version");

        using var runs = await host.Http.GetAsync("/api/runs", ct);
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal("text/html", runs.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", runs.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await runs.Content.ReadAsStringAsync(ct);
        Assert.Contains("No finished experiments yet", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Requests_for_a_foreign_host_name_or_from_a_foreign_origin_are_refused_and_this_machines_pass()
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        var ct = TestContext.Current.CancellationToken;
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? hostName, string? origin)
        {
            using var request = new HttpRequestMessage(method, path);
            if (hostName is not null)
            {
                request.Headers.Host = hostName;
            }

            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("{\"dataset\": \"no-such-dataset\"}", Encoding.UTF8, "application/json");
            }

            return await host.Http.SendAsync(request, ct);
        }

        // DNS rebinding: a page at attacker.example whose name now resolves to 127.0.0.1.
        await AssertProblemAsync(await SendAsync(HttpMethod.Get, "/api/health", "attacker.example:7071", null), HttpStatusCode.BadRequest, "loopback names only");
        await AssertProblemAsync(await SendAsync(HttpMethod.Post, "/api/training", "attacker.example", "http://attacker.example"), HttpStatusCode.BadRequest, "loopback names only");
        // A cross-site request from a page the user has open elsewhere.
        await AssertProblemAsync(await SendAsync(HttpMethod.Post, "/api/training", null, "https://attacker.example"), HttpStatusCode.Forbidden, "cross-site requests are refused");
        await AssertProblemAsync(await SendAsync(HttpMethod.Post, "/api/training/some-run/cancel", null, "null"), HttpStatusCode.Forbidden, "cross-site");
        // This machine: loopback names and origins, and tools that send no Origin, reach the API (404: no such dataset).
        foreach (var (name, origin) in new (string?, string?)[] { (null, null), ("localhost", "http://localhost:3000"), ("[::1]:7071", "http://127.0.0.1:7071") })
        {
            await AssertProblemAsync(await SendAsync(HttpMethod.Post, "/api/training", name, origin), HttpStatusCode.NotFound, "no labeled uploads");
        }

        using var health = await SendAsync(HttpMethod.Get, "/api/health", "localhost", "https://attacker.example");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode); // reads carry no Origin rule: the browser keeps their answers from the page
    }

    [Fact]
    public async Task A_malformed_record_or_package_manifest_in_storage_is_skipped_and_the_lists_still_answer()
    {
        await using var host = await fixture.StartHostAsync(trainer: false);
        var ct = TestContext.Current.CancellationToken;
        (string Container, string Blob, string Content)[] broken =
        [
            (StorageLayout.RunsContainer, "broken-run/run.json", "{not json"),
            (StorageLayout.RunsContainer, "broken-experiment/experiment.json", "[]"),
            (StorageLayout.ModelsContainer, "broken-model/v1/package.json", "{\"created_at\": 5}"),
            (StorageLayout.ModelsContainer, "broken-model/live.json", "live"),
        ];
        try
        {
            foreach (var (container, blob, content) in broken)
            {
                var client = fixture.Blobs.GetBlobContainerClient(container);
                await client.CreateIfNotExistsAsync(cancellationToken: ct);
                await client.GetBlobClient(blob).UploadAsync(BinaryData.FromString(content), overwrite: true, ct);
            }

            using var runs = await host.Http.GetAsync("/api/runs", ct);
            Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
            using var models = await host.Http.GetAsync("/api/models", ct);
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            var list = await models.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.DoesNotContain(list.EnumerateArray(), m => m.GetProperty("name").GetString() == "broken-model");
        }
        finally
        {
            foreach (var (container, blob, _) in broken)
            {
                await fixture.Blobs.GetBlobContainerClient(container).DeleteBlobIfExistsAsync(blob, cancellationToken: ct);
            }
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string detail)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
