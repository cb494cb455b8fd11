using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>A dataset version in Blob Storage, streamed shard by shard through <see cref="DatasetVersionReader"/> (production).</summary>
public sealed class BlobExampleSource : IExampleSource
{
    private readonly DatasetVersionReader reader;

    private BlobExampleSource(DatasetVersionReader reader, DatasetInfo info)
    {
        this.reader = reader;
        Info = info;
    }

    /// <inheritdoc />
    public DatasetInfo Info { get; }

    /// <inheritdoc />
    public IAsyncEnumerable<TrainingExample> ReadAsync(string split, CancellationToken cancellationToken) =>
        Info.ExamplesIn(split) == 0 ? AsyncEnumerable.Empty<TrainingExample>() : reader.ReadAsync(split, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<TrainingExample> ReadFirstCopyAsync(string split, CancellationToken cancellationToken) =>
        Info.ExamplesIn(split) == 0 ? AsyncEnumerable.Empty<TrainingExample>() : reader.ReadFirstCopyAsync(split, Info.MaskingCopies, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<UnitDocument> ReadTextAsync(string split, CancellationToken cancellationToken) => reader.ReadTextAsync(split, cancellationToken);

    /// <summary>Reads the manifest, vocabulary and labels of a version.</summary>
    public static async Task<BlobExampleSource> OpenAsync(BlobServiceClient blobs, DatasetReference dataset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(dataset);
        var container = blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);
        DatasetManifest manifest;
        try
        {
            var content = await container.GetBlobClient(StorageLayout.Manifest(dataset.Name, dataset.Version)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            manifest = DatasetManifest.FromJson(content.Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new TrainingFailedException($"dataset '{dataset.Name}' has no version '{dataset.Version}' (no {StorageLayout.DatasetsContainer}/{StorageLayout.Manifest(dataset.Name, dataset.Version)})");
        }

        var reader = new DatasetVersionReader(blobs, manifest);
        var vocabulary = await reader.ReadVocabularyAsync(cancellationToken).ConfigureAwait(false);
        var hash = Convert.ToHexStringLower(SHA256.HashData(vocabulary));
        if (!string.Equals(hash, manifest.VocabularySha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new TrainingFailedException($"dataset {dataset.Name}/{dataset.Version}: vocab.txt has SHA-256 {hash}, the manifest says {manifest.VocabularySha256}");
        }

        var classification = string.Equals(manifest.Kind, nameof(DatasetKind.Classification), StringComparison.OrdinalIgnoreCase);
        IReadOnlyList<string>? labels = null;
        IReadOnlyList<long>? counts = null;
        if (classification)
        {
            var set = await reader.ReadLabelsAsync(cancellationToken).ConfigureAwait(false);
            labels = set.Labels;
            var byName = manifest.Splits.TryGetValue(DatasetInfo.Train, out var train) ? train.LabelCounts : null;
            counts = set.Labels.Select(l => byName is not null && byName.TryGetValue(l, out var n) ? n : 0).ToArray();
        }

        var info = new DatasetInfo(manifest.Dataset, manifest.Version, classification, vocabulary, hash, manifest.VocabularySize, manifest.MaxSeqLen,
            labels, counts, manifest.Splits.ToDictionary(s => s.Key, s => s.Value.Examples, StringComparer.Ordinal))
        {
            MaskingCopies = classification ? 1 : manifest.MaskingCopies(),
            Masking = manifest.MaskingOptions(),
        };
        return new BlobExampleSource(reader, info);
    }
}

/// <summary>Opens dataset versions from Blob Storage.</summary>
public sealed class BlobExampleSourceFactory(BlobServiceClient blobs) : IExampleSourceFactory
{
    /// <inheritdoc />
    public async Task<IExampleSource> OpenAsync(DatasetReference dataset, CancellationToken cancellationToken) =>
        await BlobExampleSource.OpenAsync(blobs, dataset, cancellationToken).ConfigureAwait(false);
}
