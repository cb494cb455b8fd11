using System.Collections.Concurrent;
using System.Diagnostics;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// Closed-loop load: <c>clients</c> independent HttpClients (one connection each) send one request after another
/// for a fixed time; every answer is kept with its status, model version and when it completed. Anything but a 200,
/// including an exception (reset connection, timeout), is an error. The peer is the same number of threads calling
/// the bare session, which is what the endpoint could do at best with the same concurrency. The CPU time this
/// process spent (server, clients, sessions; not Azurite) is kept too: per request, it says what the HTTP path costs.
/// </summary>
internal static class LoadTest
{
    /// <param name="CompletedAt">Seconds from the start of the test.</param>
    public sealed record Answer(double CompletedAt, double Milliseconds, string Status, string? Version);

    /// <param name="Threads">
    /// The most thread-pool threads seen during the run (sampled every 100 ms); for the peer, its dedicated threads. A request
    /// holds a pool thread while ONNX Runtime runs it, so this bounds how many inferences overlap in the endpoint.
    /// </param>
    public sealed record Outcome(long Start, double Seconds, double CpuSeconds, int Threads, IReadOnlyList<Answer> Answers)
    {
        /// <summary>This process's CPU time per answer.</summary>
        public double CpuMillisecondsEach => CpuSeconds * 1000 / Answers.Count;

        public Latencies Ok(double from = 0, double to = double.MaxValue)
        {
            var latencies = new Latencies();
            latencies.AddRange(Answers.Where(a => a.Status == "200" && a.CompletedAt >= from && a.CompletedAt < to).Select(a => a.Milliseconds));
            return latencies;
        }

        /// <summary>Seconds from the start of the test to <paramref name="timestamp"/> (a Stopwatch timestamp, e.g. of a log line).</summary>
        public double At(long timestamp) => Stopwatch.GetElapsedTime(Start, timestamp).TotalSeconds;

        public double PerSecond => Answers.Count / Seconds;

        /// <summary>Errors by status code or exception type; empty when every answer was a 200.</summary>
        public IReadOnlyDictionary<string, int> Errors =>
            Answers.Where(a => a.Status != "200").GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <param name="host">The endpoint.</param>
    /// <param name="call">One request: the client, and a counter to pick its input with (each client starts at its own offset).</param>
    /// <param name="clients">Concurrent clients.</param>
    /// <param name="duration">How long to load.</param>
    /// <param name="during">Run once, at <paramref name="duringAt"/> into the test (the promotion), timed relative to the start; null for none.</param>
    /// <param name="duringAt">When to run <paramref name="during"/>.</param>
    public static async Task<Outcome> RunAsync(BenchHost host, Func<HttpClient, int, Task<(int Status, string? Version)>> call, int clients, TimeSpan duration, Func<long, Task>? during = null, TimeSpan duringAt = default)
    {
        var answers = new ConcurrentBag<Answer>();
        var https = Enumerable.Range(0, clients).Select(_ => host.NewClient()).ToList();
        try
        {
            // One untimed request per client, so that connection set-up is not in the figures.
            await Task.WhenAll(https.Select(c => call(c, 0))).ConfigureAwait(false);
            var cpu = CpuSeconds();
            var start = Stopwatch.GetTimestamp();
            var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var loops = https.Select((client, c) => Task.Run(async () =>
            {
                var k = c * 7;
                while (Stopwatch.GetTimestamp() < end)
                {
                    var sent = Stopwatch.GetTimestamp();
                    string status;
                    string? version = null;
                    try
                    {
                        (var code, version) = await call(client, k++).ConfigureAwait(false);
                        status = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        status = e.GetType().Name;
                    }

                    var now = Stopwatch.GetTimestamp();
                    answers.Add(new Answer(Stopwatch.GetElapsedTime(start, now).TotalSeconds, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds, status, version));
                }
            })).ToList();
            var threads = SampleThreads(end);
            if (during is not null)
            {
                loops.Add(Task.Run(async () =>
                {
                    await Task.Delay(duringAt).ConfigureAwait(false);
                    await during(start).ConfigureAwait(false);
                }));
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
            return new Outcome(start, Stopwatch.GetElapsedTime(start).TotalSeconds, CpuSeconds() - cpu, await threads.ConfigureAwait(false), [.. answers.OrderBy(a => a.CompletedAt)]);
        }
        finally
        {
            foreach (var client in https)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The peer: <paramref name="threads"/> threads each running the bare session on one prepared input after another.</summary>
    public static Outcome RunBare(BareSession bare, IReadOnlyList<BareSession.Batch> inputs, int threads, TimeSpan duration)
    {
        var answers = new ConcurrentBag<Answer>();
        var cpu = CpuSeconds();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, threads).Select(c => new Thread(() =>
        {
            var k = c * 7;
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                bare.Run(inputs[k++ % inputs.Count]);
                var now = Stopwatch.GetTimestamp();
                answers.Add(new Answer(Stopwatch.GetElapsedTime(start, now).TotalSeconds, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds, "200", null));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return new Outcome(start, Stopwatch.GetElapsedTime(start).TotalSeconds, CpuSeconds() - cpu, threads, [.. answers.OrderBy(a => a.CompletedAt)]); // dedicated threads, not the pool's
    }

    private static async Task<int> SampleThreads(long end)
    {
        var most = ThreadPool.ThreadCount;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (Stopwatch.GetTimestamp() < end && await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            most = Math.Max(most, ThreadPool.ThreadCount);
        }

        return most;
    }

    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }
}
