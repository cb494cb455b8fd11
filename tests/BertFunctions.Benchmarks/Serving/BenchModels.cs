using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// What the pipeline leaves in storage before serving: a dataset version (a small real ingestion, so serving reads
/// its tokenization from the manifest as it does for a trained model), model packages written by the trainer's own
/// writer, and live.json as promotion writes it.
/// </summary>
internal static class BenchModels
{
    public const string Name = "bench";

    /// <summary>Ingests <paramref name="emails"/> (text, label) as dataset <see cref="Name"/> with ingestion's default tokenization (128 positions).</summary>
    public static async Task<DatasetManifest> IngestAsync(BlobServiceClient blobs, IEnumerable<(string Text, string Label)> emails)
    {
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync().ConfigureAwait(false);
        var jsonl = string.Concat(emails.Select(e => JsonSerializer.Serialize(new { text = e.Text, label = e.Label }) + "\n"));
        await uploads.GetBlobClient($"labeled/{Name}/emails.jsonl").UploadAsync(BinaryData.FromString(jsonl), overwrite: true).ConfigureAwait(false);
        var request = new IngestionRequest
        {
            Dataset = Name,
            Kind = DatasetKind.Classification,
            Reading = new IngestionOptions { Labeled = true },
        };
        var runner = new LocalIngestionRunner(new IngestionSteps(blobs, NullLogger<IngestionSteps>.Instance), TimeProvider.System);
        var manifest = (await runner.RunAsync(request, null, CancellationToken.None).ConfigureAwait(false)).Manifest;

        // Left in uploads, the file would make the local host's upload watcher schedule a retraining run during the bench.
        await uploads.DeleteBlobAsync($"labeled/{Name}/emails.jsonl").ConfigureAwait(false);
        return manifest;
    }

    /// <summary>
    /// Writes <c>models/bench/{version}/</c> in a child process (<see cref="PackageWriterChild"/>), as the trainer does in
    /// its own container, so that libtorch's memory never counts in this process's peak.
    /// </summary>
    public static Task WritePackageAsync(string storage, DatasetManifest dataset, string version, int seed) =>
        SelfProcess.RunAsync(["--write-package", "--storage", storage, "--dataset", dataset.Dataset, "--dataset-version", dataset.Version, "--version", version, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)], PackageWriterChild.Marker);

    /// <summary>Makes <paramref name="version"/> live, as the pipeline's promotion does.</summary>
    public static async Task PromoteAsync(BlobServiceClient blobs, DatasetManifest dataset, string version)
    {
        var live = new LiveModel
        {
            Name = Name,
            Version = version,
            Package = $"{Name}/{version}/",
            Metrics = new Dictionary<string, double>(),
            DatasetVersion = dataset.Version,
            RunId = "bench-" + version,
            PromotedAt = DateTimeOffset.UtcNow,
        };
        var models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        await models.CreateIfNotExistsAsync().ConfigureAwait(false);
        await models.GetBlobClient(StorageLayout.LiveModel(Name)).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(live, LiveModel.JsonOptions)), overwrite: true).ConfigureAwait(false);
    }
}
