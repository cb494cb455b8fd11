using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Benchmarks.Ingestion;

/// <summary>
/// <c>--ingestion [brown|spam|large] [--repeat N] [--no-digest]</c>: end-to-end ingestion against a real, in-memory
/// Azurite. The upload is not timed; the run (Azurite blob → cleaned → tokenized → masked shards → Azurite) is,
/// phase by phase. BenchmarkDotNet does not fit runs of a minute, so this is a plain stopwatch loop.
/// </summary>
internal static class IngestionBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var name = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : "brown";
        var repeatAt = Array.IndexOf(args, "--repeat");
        var repeat = repeatAt > 0 ? int.Parse(args[repeatAt + 1], CultureInfo.InvariantCulture) : 1;
        var digest = !args.Contains("--no-digest") && name != "large";
        var corpus = BenchCorpora.Get(name);

        await using var azurite = await AzuriteEmulator.StartAsync().ConfigureAwait(false);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync().ConfigureAwait(false);
        var upload = Stopwatch.StartNew();
        var inputBytes = await corpus.UploadAsync(uploads).ConfigureAwait(false);
        Console.WriteLine($"{name}: uploaded {inputBytes / 1e6:F1} MB in {upload.Elapsed.TotalSeconds:F1} s (not timed); {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");
        var azuritePid = ProcessMemory.AzuritePid();

        for (var round = 0; round < repeat; round++)
        {
            // Each round starts from no dataset, so that the run is not answered from the fingerprint index.
            await DeleteAsync(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer), corpus.Request.Dataset + "/").ConfigureAwait(false);
            await DeleteAsync(blobs.GetBlobContainerClient(StorageLayout.QuarantineContainer), corpus.Request.Dataset + "/").ConfigureAwait(false);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var peakReset = ProcessMemory.ResetPeak();
            var phases = new PhaseClock();
            var cpuBefore = Cpu(azuritePid);
            IngestionResult result;
            long azuritePeak;
            var sampler = azuritePid is null ? null : new ProcessMemory.PeakSampler(azuritePid);
            await using (sampler)
            {
                var runner = new LocalIngestionRunner(new IngestionSteps(blobs, NullLogger<IngestionSteps>.Instance), TimeProvider.System);
                phases.Start();
                result = await runner.RunAsync(corpus.Request, phases, CancellationToken.None).ConfigureAwait(false);
                phases.Stop();
                azuritePeak = sampler?.Peak ?? 0;
            }

            var cpuAfter = Cpu(azuritePid);
            var peak = peakReset ? ProcessMemory.StatusBytes("self", "VmHWM") : ProcessMemory.LifetimePeak();
            Report(name, round, inputBytes, phases, result.Manifest, peak, peakReset, azuritePeak);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU: ingestion process {cpuAfter.Self - cpuBefore.Self:F2} s, Azurite {cpuAfter.Azurite - cpuBefore.Azurite:F2} s; load average {File.ReadAllText("/proc/loadavg")[..14]}"));
            if (digest)
            {
                Console.WriteLine($"  shards sha256 {await DigestAsync(blobs, result.Manifest).ConfigureAwait(false)}");
            }
        }
    }

    private static void Report(string name, int round, long inputBytes, PhaseClock phases, DatasetManifest m, long peak, bool peakReset, long azuritePeak)
    {
        var seconds = phases.Total.TotalSeconds;
        var examples = m.Splits.Values.Sum(s => s.Examples);
        var tokens = m.Splits.Values.Sum(s => s.Tokens);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{name} #{round}: {seconds:F2} s, {inputBytes / 1e6 / seconds:F2} MB/s; ");
        line.Append(CultureInfo.InvariantCulture, $"{m.Counts.Files} files, {m.Counts.Documents} documents ({m.Counts.Duplicates} duplicates, {m.Quarantine.Items} quarantined), ");
        line.Append(CultureInfo.InvariantCulture, $"{examples:N0} examples, {tokens:N0} tokens, {m.Splits.Values.Sum(s => s.Shards.Count)} shards");
        Console.WriteLine(line);
        Console.WriteLine("  phases: " + string.Join(", ", phases.Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Seconds:F2} s"))));
        Console.WriteLine($"  peak working set {ProcessMemory.Mib(peak)} ({(peakReset ? "VmHWM since the run started" : "process lifetime")}); Azurite (node) peak RSS during the run {ProcessMemory.Mib(azuritePeak)}");
    }

    /// <summary>CPU seconds (user + system) used so far by this process and by Azurite: less sensitive to a loaded host than wall time.</summary>
    private static (double Self, double Azurite) Cpu(string? azuritePid)
    {
        using var self = Process.GetCurrentProcess();
        var azurite = 0.0;
        if (azuritePid is not null)
        {
            var stat = File.ReadAllText($"/proc/{azuritePid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after "pid (comm)", in clock ticks (100 per second on Linux).
            azurite = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        return (self.TotalProcessorTime.TotalSeconds, azurite);
    }

    /// <summary>SHA-256 over every shard's name (relative to the version) and bytes: equal before and after an optimisation.</summary>
    private static async Task<string> DigestAsync(BlobServiceClient blobs, DatasetManifest m)
    {
        var datasets = blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);
        var prefix = StorageLayout.VersionPrefix(m.Dataset, m.Version);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var shard in m.Splits.Values.SelectMany(s => s.Shards).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(shard[prefix.Length..] + "\n"));
            hash.AppendData((await datasets.GetBlobClient(shard).DownloadContentAsync().ConfigureAwait(false)).Value.Content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static async Task DeleteAsync(BlobContainerClient container, string prefix)
    {
        if (!await container.ExistsAsync().ConfigureAwait(false))
        {
            return;
        }

        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, default).ConfigureAwait(false))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name).ConfigureAwait(false);
        }
    }
}
