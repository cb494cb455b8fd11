using BertFunctions.Benchmarks.Ingestion;
using static BertFunctions.Benchmarks.Serving.ServingBenchmark;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>The figures of a --serving run as markdown tables, ready for docs/benchmarks.md, with the issue's goals checked.</summary>
internal static class ServingReport
{
    private const double P50GoalMs = 10, ThroughputGoal = 0.80;

    public static void Write(ReportData r)
    {
        ColdStartTable(r.Cold);
        SequentialTable(r);
        LoadTable(r);
        Swap(r);
        Line($"Peak RSS (VmHWM) of the bench process (the host, its clients, and the in-process and bare sessions): {ProcessMemory.Mib(r.PeakBeforePeer)} up to the end of the endpoint's load test, " +
             $"{ProcessMemory.Mib(r.PeakRss)} at the end (after the peer's {r.Clients} overlapping runs and with both versions loaded during the swap)" +
             (r.Cold.Count == 0 ? "" : $"; of a cold-started serving process after two requests (median): {ProcessMemory.Mib((long)Median(r.Cold.Select(c => (double)c.PeakRss)))}"));
    }

    private static void ColdStartTable(IReadOnlyList<ColdStart.Sample> cold)
    {
        if (cold.Count == 0)
        {
            return; // --cold-starts 0
        }

        Line($"Cold start, fresh process and empty package cache each time, median of {cold.Count} (min to max):");
        Line();
        Line("| phase | median | range |");
        Line("|---|---:|---:|");
        Row("process start to Main (runtime)", cold.Select(c => c.Runtime));
        Row("Main to host listening", cold.Select(c => c.HostStart));
        Row("... of which LocalPipelineHost.Build", cold.Select(c => c.HostBuild));
        Row("... of which StartAsync (hosted services, Kestrel)", cold.Select(c => c.HostStartAsync));
        Row("spawn to model load start (inside StartAsync, so the load overlaps the host start)", cold.Select(c => c.LoadBegan));
        Row("package download + SHA-256 (logged)", cold.Select(c => c.Download));
        Row("manifest, tokenization settings, vocabulary, ORT session", cold.Select(c => c.Session));
        Row("warm-up inference (logged)", cold.Select(c => c.WarmUp));
        Row("first request after the load", cold.Select(c => c.AfterLoad));
        Row("**spawn to first 200**", cold.Select(c => c.FirstOk));
        Row("the next request", cold.Select(c => c.SecondRequest));
        Line();
        var not200 = cold.Sum(c => c.Not200);
        Line(not200 == 0 ? "Every first request waited for the load and got a 200 (no 503)." : $"{not200} non-200 answers before the first 200 (see the log above).");
        Line();

        static void Row(string phase, IEnumerable<double> values)
        {
            var list = values.ToList();
            Line($"| {phase} | {Median(list):N0} ms | {list.Min():N0} to {list.Max():N0} ms |");
        }
    }

    private static void SequentialTable(ReportData r)
    {
        var (s, b) = (r.Single, r.Batched);
        Line($"One caller, loopback HTTP vs in-process: one short text (a subject line, median {r.ShortTokens:F0} tokens with [CLS]/[SEP]), {s.Endpoint.Count} requests per way; batches of 32 email bodies (median {r.BatchTokens:F0} tokens), {b.Endpoint.Count} batches per way:");
        Line();
        Line("| measure | endpoint (HTTP) | ClassificationModel in-process | bare ORT session | endpoint vs bare |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var (name, p) in new[] { ("p50", 50.0), ("p90", 90.0), ("p99", 99.0) })
        {
            Line($"| one short text, {name} | {s.Endpoint.Percentile(p):F2} ms | {s.InProcess.Percentile(p):F2} ms | {s.Bare.Percentile(p):F2} ms | {s.Endpoint.Percentile(p) / s.Bare.Percentile(p):F2}x |");
        }

        double Rate(Latencies l) => 32 * l.Count / (l.Total / 1000);
        Line($"| batch of 32, texts/s | {Rate(b.Endpoint):F1} | {Rate(b.InProcess):F1} | {Rate(b.Bare):F1} | {Rate(b.Endpoint) / Rate(b.Bare):P0} |");
        Line($"| batch of 32, p50 | {b.Endpoint.P50:F0} ms | {b.InProcess.P50:F0} ms | {b.Bare.P50:F0} ms | {b.Endpoint.P50 / b.Bare.P50:F2}x |");
        Line();
        var p50 = s.Endpoint.P50;
        var share = Rate(b.Endpoint) / Rate(b.Bare);
        Line($"Goal p50 ≤ {P50GoalMs} ms for one short text: {(p50 <= P50GoalMs ? "met" : "MISSED")} ({p50:F2} ms). " +
             $"Goal batch throughput ≥ {ThroughputGoal:P0} of bare: {(share >= ThroughputGoal ? "met" : "MISSED")} ({share:P0}).");
        Line($"Where one short text's time goes (p50): inference {s.Bare.P50:F2} ms; tokenization, tensors, softmax {s.InProcess.P50 - s.Bare.P50:F2} ms; HTTP, JSON, routing, lease {s.Endpoint.P50 - s.InProcess.P50:F2} ms.");
        Line();
    }

    private static void LoadTable(ReportData r)
    {
        Line($"Closed loop, {r.Clients} concurrent callers, one short text per request:");
        Line();
        Line("| run | duration | requests/s | p50 | p90 | p99 | errors | CPU per request | threads |");
        Line("|---|---:|---:|---:|---:|---:|---|---:|---:|");
        Row($"endpoint, {r.Clients} HttpClients", r.Load);
        Row($"bare ORT session, {r.Clients} threads", r.BareLoad);
        Row($"endpoint, {r.Clients} HttpClients, v2 promoted at {r.PromotedAt:F1} s", r.Swap);
        Row($"HTTP alone: GET /api/classify/health, {r.Clients} HttpClients", r.Http);
        Line();
        Line($"Endpoint vs bare under load: {r.Load.PerSecond / r.BareLoad.PerSecond:P0} of the bare session's runs/s. " +
             $"CPU per request (this process: server, clients, sessions): endpoint {r.Load.CpuMillisecondsEach:F2} ms, bare {r.BareLoad.CpuMillisecondsEach:F2} ms, " +
             $"HTTP round trip alone {r.Http.CpuMillisecondsEach:F2} ms.");
        Line();

        static void Row(string name, LoadTest.Outcome o)
        {
            var ok = o.Ok();
            Line($"| {name} | {o.Seconds:F0} s | {o.PerSecond:F1} | {ok.P50:F1} ms | {ok.P90:F1} ms | {ok.P99:F1} ms | {Errors(o)} | {o.CpuMillisecondsEach:F2} ms | {o.Threads} |");
        }
    }

    private static void Swap(ReportData r)
    {
        var answers = r.Swap.Answers;
        var v1 = answers.Where(a => a.Version?.EndsWith("/v1", StringComparison.Ordinal) == true).ToList();
        var v2 = answers.Where(a => a.Version?.EndsWith("/v2", StringComparison.Ordinal) == true).ToList();
        var swappedAt = r.Switched is null ? double.NaN : r.Swap.At(r.Switched.Timestamp);

        // The download's log line comes at its end and says how long it took: its start is when the host noticed live.json.
        var noticedAt = r.DownloadedV2 is null ? double.NaN : r.Swap.At(r.DownloadedV2.Timestamp) - (r.DownloadedV2.Number("Milliseconds") / 1000);
        Line($"Promotion under load: live.json named v2 at {r.PromotedAt:F1} s; the host noticed it at {noticedAt:F1} s (it checks live.json at most every Serving:RefreshInterval, 5 s), " +
             $"{(r.LoadedV2 is null ? "no load line" : $"downloaded v2 in {r.DownloadedV2?.Number("Milliseconds"):N0} ms, loaded it in {r.LoadedV2.Number("LoadMilliseconds"):N0} ms in all, warmed it up in {r.LoadedV2.Number("WarmUpMilliseconds"):N0} ms")}, " +
             $"and swapped at {swappedAt:F1} s. {v1.Count} answers came from v1, the last completed at {(v1.Count == 0 ? double.NaN : v1.Max(a => a.CompletedAt)):F2} s; " +
             $"{v2.Count} from v2, the first completed at {(v2.Count == 0 ? double.NaN : v2.Min(a => a.CompletedAt)):F2} s; errors: {Errors(r.Swap)}.");
        if (!double.IsNaN(swappedAt) && !double.IsNaN(noticedAt))
        {
            Line($"Latency before the host noticed {r.Swap.Ok(0, noticedAt)}; while v2 downloaded, loaded and warmed up beside v1 {r.Swap.Ok(noticedAt, swappedAt)}; after the swap {r.Swap.Ok(swappedAt)}.");
        }

        Line();
    }

    private static void Line(string text = "") => Console.WriteLine(text);
}
