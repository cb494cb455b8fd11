using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using BertFunctions.Benchmarks.Ingestion;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Serving.Models;
using BertFunctions.Serving.Packages;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// <c>--serving [--seconds 60] [--bare-seconds 20] [--promote-at 20] [--cold-starts 5] [--requests 1000] [--batches 16] [--clients 32] [--intra-op 0]</c>:
/// the classification endpoint of the local host against a bare ONNX Runtime session on the same model.onnx, in one
/// run, against a real Azurite: cold start, one short text's latency, batches of 32 emails, and a closed-loop load
/// test, then the same load while a new version is promoted. Everything runs on this machine's cores together (host,
/// clients, Azurite), as a single-instance deployment with its callers on loopback would.
/// </summary>
internal static class ServingBenchmark
{
    private const int BatchSize = 32, Batches = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--cold-child"))
        {
            return await ColdStart.RunChildAsync(args).ConfigureAwait(false);
        }

        if (args.Contains("--write-package"))
        {
            return await PackageWriterChild.RunAsync(args).ConfigureAwait(false);
        }

        int Option(string name, int fallback) =>
            Array.IndexOf(args, name) is var at and > 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        var seconds = Option("--seconds", 60);
        var bareSeconds = Option("--bare-seconds", 20);
        var promoteAt = Option("--promote-at", 20);
        var coldStarts = Option("--cold-starts", 5);
        var requests = Option("--requests", 1000);
        var batches = Option("--batches", 16);
        var clients = Option("--clients", 32);
        var intraOp = Option("--intra-op", 0); // Serving:IntraOpThreads for the host, and the same for the peers

        Say($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, Serving:IntraOpThreads {intraOp}, load {LoadAverage()}");
        var texts = BenchTexts.Load(BatchSize * Batches);
        Say($"inputs: {texts.Subjects.Count} subject lines (median {Median(texts.Subjects.Select(s => (double)s.Length)):F0} chars), {texts.Bodies.Count} email bodies");

        await using var azurite = await AzuriteEmulator.StartAsync().ConfigureAwait(false);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var setup = Stopwatch.StartNew();
        var dataset = await BenchModels.IngestAsync(blobs, texts.Training).ConfigureAwait(false);
        await BenchModels.WritePackageAsync(azurite.ConnectionString, dataset, "v1", seed: 1).ConfigureAwait(false);
        await BenchModels.WritePackageAsync(azurite.ConnectionString, dataset, "v2", seed: 2).ConfigureAwait(false); // promoted under load later
        await BenchModels.PromoteAsync(blobs, dataset, "v1").ConfigureAwait(false);
        Say($"setup (not timed): dataset {dataset.Version[..12]}, packages v1 and v2 written, v1 live, in {setup.Elapsed.TotalSeconds:F0} s");

        Say($"cold start x {coldStarts}, load {LoadAverage()}");
        var cold = await ColdStart.MeasureAsync(azurite.ConnectionString, coldStarts, intraOp).ConfigureAwait(false);

        var host = await BenchHost.StartAsync(azurite.ConnectionString, Directory.CreateTempSubdirectory("bench-serving-"), intraOp).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            using var client = host.NewClient();
            var (status, _, answer) = await BenchHost.PostAsync(client, BenchHost.Body(["hello"]), CancellationToken.None).ConfigureAwait(false);
            if (status != 200)
            {
                throw new InvalidOperationException($"the host does not serve: {BenchHost.Describe(status, answer)}");
            }

            var package = OpenCached(host.CacheDirectory, "v1");
            var tokenization = await new TokenizationSettingsReader(blobs, NullLogger<TokenizationSettingsReader>.Instance).ReadAsync(package, CancellationToken.None).ConfigureAwait(false);
            using var model = ClassificationModel.Load(package, tokenization, intraOp);
            using var bare = new BareSession(package.PathOf(ModelPackageLayout.OnnxFile), intraOp);
            var padId = TokenVocabulary.Load(File.ReadAllBytes(package.PathOf(ModelPackageLayout.VocabularyFile))).PadId;
            var compare = new SequentialComparison(client, model, bare, padId);
            var shortInputs = texts.Subjects.Select(s => (IReadOnlyList<string>)[s]).ToList();
            var shortTokens = Median(texts.Subjects.Select(s => (double)model.Encode(s).InputIds.Length));

            Say($"one short text x {requests} per way, load {LoadAverage()}");
            var single = await compare.RunAsync(shortInputs, requests, warmUp: 100).ConfigureAwait(false);
            Say($"  endpoint {single.Endpoint}; in-process {single.InProcess}; bare {single.Bare}");

            var batchInputs = Enumerable.Range(0, Batches).Select(b => (IReadOnlyList<string>)[.. texts.Bodies.Skip(b * BatchSize).Take(BatchSize)]).ToList();
            var batchTokens = Median(batchInputs.SelectMany(b => b).Select(t => (double)model.Encode(t).InputIds.Length));
            Say($"batches of {BatchSize} emails x {batches} per way, load {LoadAverage()}");
            var batched = await compare.RunAsync(batchInputs, batches, warmUp: 2, block: 4).ConfigureAwait(false);
            Say($"  endpoint {batched.Endpoint}; in-process {batched.InProcess}; bare {batched.Bare}");

            var shortBodies = texts.Subjects.Select(s => BenchHost.Body([s])).ToList();
            async Task<(int, string?)> Classify(HttpClient c, int k)
            {
                var (code, version, _) = await BenchHost.PostAsync(c, shortBodies[k % shortBodies.Count], CancellationToken.None).ConfigureAwait(false);
                return (code, version);
            }

            Say($"load: {clients} clients x {seconds} s, load {LoadAverage()}");
            var load = await LoadTest.RunAsync(host, Classify, clients, TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var peakBeforePeer = ProcessMemory.StatusBytes("self", "VmHWM"); // the peer's 32 overlapping runs grow its own arena
            Say($"  {load.Answers.Count} answers, {load.PerSecond:F1}/s, {load.Ok()}, errors {Errors(load)}, CPU {load.CpuMillisecondsEach:F2} ms each, peak RSS so far {ProcessMemory.Mib(peakBeforePeer)}");

            Say($"HTTP alone: {clients} clients on GET /api/classify/health x {bareSeconds / 2} s, load {LoadAverage()}");
            var http = await LoadTest.RunAsync(host, (c, _) => BenchHost.HealthAsync(c), clients, TimeSpan.FromSeconds(bareSeconds / 2.0)).ConfigureAwait(false);
            Say($"  {http.Answers.Count} answers, {http.PerSecond:F1}/s, {http.Ok()}, errors {Errors(http)}, CPU {http.CpuMillisecondsEach:F3} ms each");

            Say($"peer: {clients} threads on the bare session x {bareSeconds} s, load {LoadAverage()}");
            var shortPrepared = texts.Subjects.Select(s => BareSession.Prepare([model.Encode(s).InputIds], padId)).ToList();
            var bareLoad = LoadTest.RunBare(bare, shortPrepared, clients, TimeSpan.FromSeconds(bareSeconds));
            Say($"  {bareLoad.Answers.Count} runs, {bareLoad.PerSecond:F1}/s, {bareLoad.Ok()}, CPU {bareLoad.CpuMillisecondsEach:F2} ms each");

            Say($"load with promotion of v2 at {promoteAt} s: {clients} clients x {seconds} s, load {LoadAverage()}");
            var promotedAt = double.NaN;
            var swap = await LoadTest.RunAsync(host, Classify, clients, TimeSpan.FromSeconds(seconds), async start =>
            {
                await BenchModels.PromoteAsync(blobs, dataset, "v2").ConfigureAwait(false);
                promotedAt = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }, TimeSpan.FromSeconds(promoteAt)).ConfigureAwait(false);
            var switched = host.Logs.Entries.LastOrDefault(e => e.Message.Contains("now serving version v2", StringComparison.Ordinal));
            var loadedV2 = host.Logs.Entries.LastOrDefault(e => e.Message.StartsWith("Loaded model bench/v2", StringComparison.Ordinal));
            var downloadedV2 = host.Logs.Entries.LastOrDefault(e => e.Message.StartsWith("Downloaded model package bench/v2", StringComparison.Ordinal));
            Say($"  {swap.Answers.Count} answers, {swap.PerSecond:F1}/s, {swap.Ok()}, errors {Errors(swap)}; {loadedV2?.Message}");

            var peak = ProcessMemory.StatusBytes("self", "VmHWM");
            Console.WriteLine();
            ServingReport.Write(new ReportData(cold, single, batched, load, http, bareLoad, swap, promotedAt, downloadedV2, loadedV2, switched, shortTokens, batchTokens, peakBeforePeer, peak, clients));
        }

        Say($"done, load {LoadAverage()}");
        return 0;
    }

    internal sealed record ReportData(
        IReadOnlyList<ColdStart.Sample> Cold,
        SequentialComparison.Result Single,
        SequentialComparison.Result Batched,
        LoadTest.Outcome Load,
        LoadTest.Outcome Http,
        LoadTest.Outcome BareLoad,
        LoadTest.Outcome Swap,
        double PromotedAt,
        HostLogs.Entry? DownloadedV2,
        HostLogs.Entry? LoadedV2,
        HostLogs.Entry? Switched,
        double ShortTokens,
        double BatchTokens,
        long PeakBeforePeer,
        long PeakRss,
        int Clients);

    /// <summary>The package the host downloaded, opened from its cache folder as the host opens it.</summary>
    private static LocalModelPackage OpenCached(string cache, string version)
    {
        var folder = Path.Combine(cache, BenchModels.Name, version);
        var manifestPath = Path.Combine(folder, ModelPackageLayout.ManifestFile);
        return new LocalModelPackage(BenchModels.Name, version, folder, ModelPackageManifest.FromJson(File.ReadAllText(manifestPath), manifestPath));
    }

    internal static string Errors(LoadTest.Outcome outcome) =>
        outcome.Errors.Count == 0 ? "none" : string.Join(", ", outcome.Errors.Select(e => $"{e.Key}: {e.Value}"));

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string LoadAverage()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{fields[0]} / {fields[1]} / {fields[2]}";
    }

    private static void Say(string line) => Console.WriteLine(line);
}
