using System.Net;
using System.Text.Json;
using BertFunctions.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>No live model, a version that will not load: 503s that say when to come back, and no outage of what works.</summary>
public sealed class AvailabilityTests(ServingWorld world)
{
    [Fact]
    public async Task Before_anything_is_promoted_requests_get_503_with_Retry_After_and_the_model_serves_once_promoted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "later");

        using (var response = await host.PostJsonAsync("{\"text\": \"hello\"}", ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("model 'later' has no live version", JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var response = await host.PostJsonAsync("{\"text\": \"hello\", \"model\": \"never-promoted\"}", ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        // Past the refresh interval, so the probe starts a re-check of live.json: a model known to be unavailable
        // stays "unavailable" while it is re-checked (a slow CI machine once saw "loading" here).
        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        using (var health = await host.Client.GetAsync("/api/classify/health", ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.NotNull(health.Headers.RetryAfter);
            var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.Equal("unavailable", body.GetProperty("state").GetString());
        }

        await world.WritePackageAsync("later", "v1", seed: 31);
        await world.PromoteAsync("later", "v1");
        HttpStatusCode status;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            await Task.Delay(100, ct);
            using var response = await host.PostJsonAsync("{\"text\": \"hello\"}", ct);
            status = response.StatusCode;
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{status}");
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(host.Logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task A_promoted_version_that_fails_to_load_leaves_the_current_one_serving()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("sturdy", "v1", seed: 41);
        await world.WritePackageAsync("sturdy", "v2", seed: 42);
        var onnx = world.Blobs.GetBlobContainerClient(StorageLayout.ModelsContainer).GetBlobClient("sturdy/v2/model.onnx");
        var bytes = (await onnx.DownloadContentAsync(ct)).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01; // one bit: same size, another hash
        await onnx.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, ct);
        await world.PromoteAsync("sturdy", "v1");
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "sturdy");
        Assert.Equal("v1", (await host.ClassifyAsync(["hello"], model: null, ct)).Body.Version);

        await world.PromoteAsync("sturdy", "v2");
        await HotSwapTests.WaitForAsync(() => host.Models.Status(null).Problem is not null, ct);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("v1", (await host.ClassifyAsync(["hello"], model: null, ct)).Body.Version);
            await Task.Delay(50, ct);
        }

        var status = host.Models.Status(null);
        Assert.Equal(("ready", "v1"), (status.State, status.Version));
        Assert.Contains("sturdy/v2/model.onnx: content does not match the manifest", status.Problem, StringComparison.Ordinal);
        Assert.Contains(host.Logs.AtLeast(LogLevel.Error), e => e.Contains("Model sturdy could not be loaded; serving version v1", StringComparison.Ordinal));
    }
}
