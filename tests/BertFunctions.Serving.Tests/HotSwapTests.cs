using System.Collections.Concurrent;
using BertFunctions.Serving.Api;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>Promotion while requests run: no failures, no dropped requests, the new version takes over for good.</summary>
public sealed class HotSwapTests(ServingWorld world, ITestOutputHelper output)
{
    [Fact]
    public async Task Promoting_a_new_version_under_load_switches_responses_with_zero_failures()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("swap", "v1", seed: 11);
        await world.WritePackageAsync("swap", "v2", seed: 12);
        await world.PromoteAsync("swap", "v1");
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "swap");
        string[] texts = ["Win a FREE cruise now!!!", .. world.Emails.Take(3).Select(e => e.Text)];

        var failures = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<int, List<(ClassifyResponse Body, string Header)>>();
        var stop = new CancellationTokenSource();
        // 32 clients, as the load test: every one must get through the swap without an error.
        var clients = Enumerable.Range(0, 32).Select(client => Task.Run(
            async () =>
            {
                var mine = seen[client] = [];
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        mine.Add(await host.ClassifyAsync(texts, model: null, CancellationToken.None));
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue($"client {client}: {e.Message}");
                    }
                }
            },
            ct)).ToList();

        // Until every client has had an answer from v1, then promote v2.
        var warm = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((seen.Count < 32 || !seen.Values.All(s => s.Count > 0)) && DateTime.UtcNow < warm)
        {
            await Task.Delay(50, ct);
        }

        await world.PromoteAsync("swap", "v2");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !seen.Values.All(s => s.Count(r => r.Body.Version == "v2") >= 3))
        {
            await Task.Delay(50, ct);
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        stop.Dispose();

        Assert.Empty(failures);
        output.WriteLine($"32 clients, {seen.Values.Sum(r => r.Count)} answers across the promotion of v2, {failures.Count} errors");
        var v1 = (await host.ClassifyAsync(texts, "swap/v1", ct)).Body.Results;
        var v2 = (await host.ClassifyAsync(texts, "swap/v2", ct)).Body.Results;
        Assert.NotEqual(v1.Select(r => r.Score), v2.Select(r => r.Score));
        foreach (var (client, responses) in seen)
        {
            output.WriteLine($"client {client}: {responses.Count(r => r.Body.Version == "v1")} answers from v1, then {responses.Count(r => r.Body.Version == "v2")} from v2");
            Assert.Contains(responses, r => r.Body.Version == "v1");
            Assert.Contains(responses, r => r.Body.Version == "v2");

            // Once a client saw v2 it never sees v1 again: the swap is atomic.
            var firstV2 = responses.FindIndex(r => r.Body.Version == "v2");
            Assert.All(responses.Skip(firstV2), r => Assert.Equal("v2", r.Body.Version));

            // Every answer is the one its named version gives, header and body alike.
            foreach (var (body, header) in responses)
            {
                Assert.Equal($"swap/{body.Version}", header);
                var expected = body.Version == "v1" ? v1 : v2;
                Assert.Equal(expected.Select(r => r.Label), body.Results.Select(r => r.Label));
                Assert.All(body.Results.Zip(expected), p => Assert.Equal(p.Second.Score, p.First.Score, 5));
            }
        }

        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("now serving version v2 (was v1)", StringComparison.Ordinal));
        Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task A_request_that_holds_the_old_version_keeps_it_after_the_swap_and_it_is_disposed_when_released()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("held", "v1", seed: 21);
        await world.WritePackageAsync("held", "v2", seed: 22);
        await world.PromoteAsync("held", "v1");
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "held");

        var lease = await host.Models.AcquireAsync(null, ct);
        var old = lease.Model;
        var before = old.Classify(["still here?"]);
        await world.PromoteAsync("held", "v2");
        await WaitForAsync(() => host.Models.Status("held").Version == "v2", ct);
        using (var fresh = await host.Models.AcquireAsync("held", ct))
        {
            Assert.Equal("v2", fresh.Model.Version);
        }

        Assert.Equal("v1", old.Version);
        Assert.False(old.Disposed);
        Assert.Equal(before[0].Logits, old.Classify(["still here?"])[0].Logits);
        lease.Dispose();
        Assert.True(old.Disposed);
        lease.Dispose(); // twice is harmless
    }

    internal static async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50, cancellationToken);
        }
    }
}
