using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BertFunctions.Benchmarks.Ingestion;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// Cold start: each sample is a new process (this program with <c>--cold-child</c>) that builds and starts the local
/// host with an empty package cache and posts one short text until the first 200, so runtime start-up and JIT count
/// as they do after a deployment or a scale-out. Phases come from the host's own log lines (download, load, warm-up)
/// and from Stopwatch timestamps, which on Linux read CLOCK_MONOTONIC and so compare across the two processes.
/// </summary>
internal static class ColdStart
{
    private const string Marker = "COLD ";

    /// <summary>One cold start, in milliseconds.</summary>
    /// <param name="Runtime">The parent's spawn call to this program's Main (process creation, runtime start-up).</param>
    /// <param name="HostStart">Main to the host listening (build, DI, Kestrel, the pipeline's hosted services).</param>
    /// <param name="HostBuild">Of which LocalPipelineHost.Build.</param>
    /// <param name="HostStartAsync">Of which StartAsync (hosted services and Kestrel).</param>
    /// <param name="LoadBegan">Spawn to the start of the model load, which the host kicks off inside StartAsync: it overlaps the host start.</param>
    /// <param name="Download">The package download and verification (model.onnx, 90 MB, and the small files), as logged.</param>
    /// <param name="Session">Manifest and tokenization settings reads, vocabulary, and the ONNX Runtime session (load time minus download).</param>
    /// <param name="WarmUp">The warm-up inference (a short and a full-length text), as logged.</param>
    /// <param name="FirstOk">Spawn to the first 200 from POST /api/classify.</param>
    /// <param name="AfterLoad">From the load's end (warm-up done) to that 200: the first request's own cost.</param>
    /// <param name="SecondRequest">The next request, for comparison with a warm one.</param>
    /// <param name="Not200">Answers other than 200 before the first 200 (the first request should wait for the load, not fail).</param>
    /// <param name="PeakRss">The child's VmHWM after the second request: a serving process's memory.</param>
    public sealed record Sample(double Runtime, double HostStart, double HostBuild, double HostStartAsync, double LoadBegan, double Download, double Session, double WarmUp, double FirstOk, double AfterLoad, double SecondRequest, int Not200, long PeakRss);

    public static async Task<IReadOnlyList<Sample>> MeasureAsync(string storage, int repeats, int intraOpThreads)
    {
        var samples = new List<Sample>();
        for (var i = 0; i < repeats; i++)
        {
            var cache = Directory.CreateTempSubdirectory("bench-cold-");
            try
            {
                var sample = await SpawnAsync(storage, cache, intraOpThreads).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  cold start {i + 1}: first 200 after {sample.FirstOk:F0} ms (runtime {sample.Runtime:F0}, host {sample.HostStart:F0} = build {sample.HostBuild:F0} + start {sample.HostStartAsync:F0}, download {sample.Download:F0}, session {sample.Session:F0}, warm-up {sample.WarmUp:F0}, request {sample.AfterLoad:F0}); next request {sample.SecondRequest:F1} ms; non-200 {sample.Not200}; peak RSS {ProcessMemory.Mib(sample.PeakRss)}"));
                samples.Add(sample);
            }
            finally
            {
                cache.Refresh();
                if (cache.Exists)
                {
                    cache.Delete(recursive: true); // the child removes it when it stops cleanly
                }
            }
        }

        return samples;
    }

    private static async Task<Sample> SpawnAsync(string storage, DirectoryInfo cache, int intraOpThreads)
    {
        var spawned = Stopwatch.GetTimestamp();
        var line = await SelfProcess.RunAsync(["--cold-child", "--storage", storage, "--cache", cache.FullName, "--intra-op", intraOpThreads.ToString(CultureInfo.InvariantCulture), "--spawned-at", spawned.ToString(CultureInfo.InvariantCulture)], Marker).ConfigureAwait(false);
        return JsonSerializer.Deserialize<Sample>(line) ?? throw new InvalidDataException("the cold-start child reported nothing");
    }

    /// <summary>The child's side: start the host, post until the first 200, report one line.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var main = Stopwatch.GetTimestamp();
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var spawned = long.Parse(Arg("--spawned-at"), CultureInfo.InvariantCulture);

        var host = await BenchHost.StartAsync(Arg("--storage"), new DirectoryInfo(Arg("--cache")), int.Parse(Arg("--intra-op"), CultureInfo.InvariantCulture)).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            var listening = Stopwatch.GetTimestamp();
            using var client = host.NewClient();
            var body = BenchHost.Body(["Your account statement is ready"]);
            var not200 = 0;
            while (true)
            {
                // The first request waits for the load that the host started; a non-200 here is a finding, not a retry policy.
                var (status, _, answer) = await BenchHost.PostAsync(client, body, CancellationToken.None).ConfigureAwait(false);
                if (status == 200)
                {
                    break;
                }

                Console.WriteLine($"not yet: {BenchHost.Describe(status, answer)}");
                if (++not200 > 600)
                {
                    return 1;
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            var firstOk = Stopwatch.GetTimestamp();
            var (secondStatus, _, _) = await BenchHost.PostAsync(client, body, CancellationToken.None).ConfigureAwait(false);
            var secondMs = Stopwatch.GetElapsedTime(firstOk).TotalMilliseconds;
            if (secondStatus != 200)
            {
                return 1;
            }

            var downloaded = host.Logs.First("Downloaded model package");
            var loaded = host.Logs.First("Loaded model");
            var download = downloaded?.Number("Milliseconds") ?? double.NaN;
            var sample = new Sample(
                Stopwatch.GetElapsedTime(spawned, main).TotalMilliseconds,
                Stopwatch.GetElapsedTime(main, listening).TotalMilliseconds,
                host.BuildTime.TotalMilliseconds,
                host.StartTime.TotalMilliseconds,
                loaded is null ? double.NaN : Stopwatch.GetElapsedTime(spawned, loaded.Timestamp).TotalMilliseconds - loaded.Number("LoadMilliseconds") - loaded.Number("WarmUpMilliseconds"),
                download,
                (loaded?.Number("LoadMilliseconds") ?? double.NaN) - download,
                loaded?.Number("WarmUpMilliseconds") ?? double.NaN,
                Stopwatch.GetElapsedTime(spawned, firstOk).TotalMilliseconds,
                loaded is null ? double.NaN : Stopwatch.GetElapsedTime(loaded.Timestamp, firstOk).TotalMilliseconds,
                secondMs,
                not200,
                ProcessMemory.StatusBytes("self", "VmHWM"));
            Console.WriteLine(Marker + JsonSerializer.Serialize(sample));
        }

        return 0;
    }
}
