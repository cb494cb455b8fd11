using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.LocalHost.Tests;

/// <summary>
/// Issue 16 item 11: <c>/api/runs</c> and <c>/api/models</c> answer a page at a time, from what the page shows, with
/// the next page in <c>next</c> and a <c>Link</c> header; following the pages gives every item once.
/// </summary>
public sealed class PagingTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Runs_come_a_page_at_a_time_latest_change_first_and_the_pages_hold_every_run_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: false);
        var runs = fixture.Blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync(cancellationToken: ct);
        var ids = Enumerable.Range(0, 7).Select(i => $"paged-finetune-{i:000000000000}").ToList();
        foreach (var id in ids)
        {
            await WriteRecordAsync(runs, id, ct);
        }

        var seen = new List<string>();
        var sizes = new List<int>();
        string? next = null;
        do
        {
            using var response = await GetJsonAsync(host.Http, "/api/runs?limit=3" + (next is null ? "" : "&cursor=" + next), ct);
            var page = (await response.Content.ReadFromJsonAsync<RunList>(TrainingApi.JsonOptions, ct))!;
            sizes.Add(page.Runs.Count);
            seen.AddRange(page.Runs.Select(r => r.Id));
            Assert.Equal(page.Next is not null, response.Headers.Contains("Link"));
            next = page.Next;
        }
        while (next is not null);

        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        // A run that changes (a running one updates its record) moves to the top.
        await Task.Delay(TimeSpan.FromSeconds(1.1), ct);
        await WriteRecordAsync(runs, ids[4], ct);
        using var first = await GetJsonAsync(host.Http, "/api/runs?limit=3", ct);
        Assert.Equal(ids[4], (await first.Content.ReadFromJsonAsync<RunList>(TrainingApi.JsonOptions, ct))!.Runs[0].Id);

        // The page people look at links to the older runs.
        var html = await host.Http.GetStringAsync("/api/runs?limit=3", ct);
        Assert.Contains("id=\"next\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_come_a_page_at_a_time_in_name_order_each_with_its_newest_versions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: false);
        var models = fixture.Blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        await models.CreateIfNotExistsAsync(cancellationToken: ct);
        var names = Enumerable.Range(0, 5).Select(i => $"paged-{i}").ToList();
        foreach (var name in names)
        {
            await WritePackageAsync(models, name, "v1", ct);
        }

        // One model with more versions than a listing shows: the older five first, the newest twenty a second later.
        foreach (var i in Enumerable.Range(0, TrainingApi.VersionsPerModel + 5))
        {
            if (i == 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1.1), ct);
            }

            await WritePackageAsync(models, "paged-0", $"v{i + 100}", ct);
        }

        var seen = new List<JsonElement>();
        var url = "/api/models?limit=2";
        var pages = 0;
        while (url is not null)
        {
            using var response = await host.Http.GetAsync(url, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.True(page.GetArrayLength() <= 2);
            seen.AddRange(page.EnumerateArray());
            url = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
            pages++;
        }

        Assert.Equal(names, seen.Select(m => m.GetProperty("name").GetString()!).Where(n => n.StartsWith("paged-", StringComparison.Ordinal)));
        Assert.True(pages >= 3);
        var versions = seen.Single(m => m.GetProperty("name").GetString() == "paged-0").GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()).ToList();
        Assert.Equal(TrainingApi.VersionsPerModel, versions.Count);
        Assert.All(versions, v => Assert.True(int.Parse(v![1..], System.Globalization.CultureInfo.InvariantCulture) >= 105, v));
    }

    [Theory]
    [InlineData("/api/runs?limit=0", "limit")]
    [InlineData("/api/runs?limit=201", "limit")]
    [InlineData("/api/runs?limit=ten", "limit")]
    [InlineData("/api/runs?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/models?limit=-1", "limit")]
    [InlineData("/api/models?cursor=%25%25", "cursor")]
    public async Task A_bad_page_size_or_cursor_is_a_400_that_names_it(string url, string named)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: false);
        using var response = await host.Http.GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetJsonAsync(HttpClient http, string url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static async Task WriteRecordAsync(Azure.Storage.Blobs.BlobContainerClient runs, string id, CancellationToken ct)
    {
        var record = new RunRecord { Id = id, Request = new TrainingRunRequest { Dataset = "paged" }, State = "completed", StartedAt = DateTimeOffset.UtcNow };
        await runs.GetBlobClient(StorageLayout.RunRecord(id)).UploadAsync(BinaryData.FromObjectAsJson(record, RunRecord.JsonOptions), overwrite: true, ct);
    }

    private static async Task WritePackageAsync(Azure.Storage.Blobs.BlobContainerClient models, string name, string version, CancellationToken ct) =>
        await models.GetBlobClient($"{name}/{version}/package.json").UploadAsync(BinaryData.FromString($$$"""{"created_at": "{{{DateTimeOffset.UtcNow:O}}}", "labels": ["ham", "spam"], "metrics": {"metrics.test.accuracy": 0.9}}"""), overwrite: true, ct);
}
