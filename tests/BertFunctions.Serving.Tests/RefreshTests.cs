using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace BertFunctions.Serving.Tests;

/// <summary>How often serving looks at live.json: at most once per refresh interval however many requests come, and conditionally.</summary>
public sealed class RefreshTests(ServingWorld world, ITestOutputHelper output)
{
    [Fact]
    public async Task Under_load_live_json_is_read_at_most_once_per_refresh_interval_and_unchanged_reads_are_304s()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("polled", "v1", seed: 71);
        await world.PromoteAsync("polled", "v1");
        var recorder = new LiveJsonReads();
        var options = new BlobClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerCall);
        await using var host = await ServingHost.StartAsync(new BlobServiceClient(world.ConnectionString, options), o =>
        {
            o.DefaultModel = "polled";
            o.RefreshInterval = TimeSpan.FromMilliseconds(500);
        });

        await host.ClassifyAsync(["first"], model: null, ct);
        var before = recorder.Statuses.Count;
        var window = System.Diagnostics.Stopwatch.StartNew();
        var requests = 0;
        while (window.Elapsed < TimeSpan.FromSeconds(3))
        {
            await host.ClassifyAsync(["again"], model: null, ct);
            requests++;
        }

        await Task.Delay(200, ct); // a check started by the last request may still be on its way
        var reads = recorder.Statuses.Skip(before).ToList();
        output.WriteLine($"{requests} requests in {window.Elapsed.TotalSeconds:F1} s: {reads.Count} reads of live.json ({string.Join(", ", reads)})");
        Assert.InRange(reads.Count, 2, 8); // 3 s / 0.5 s, give or take one at each end
        Assert.All(reads, status => Assert.Equal(304, status));
    }

    /// <summary>Records the status of every response to a GET of a live.json.</summary>
    private sealed class LiveJsonReads : HttpPipelineSynchronousPolicy
    {
        public ConcurrentQueue<int> Statuses { get; } = new();

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.EndsWith("/live.json", StringComparison.Ordinal))
            {
                Statuses.Enqueue(message.Response.Status);
            }
        }
    }
}
