using Azure.Storage.Blobs;
using BertFunctions.Datasets;
using BertFunctions.Storage;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// Streams the examples of one split of a dataset version straight from Blob Storage, shard after shard, never
/// holding more than one shard's read buffer: what the trainer and the demo read.
/// </summary>
public sealed class DatasetVersionReader(BlobServiceClient blobs, DatasetManifest manifest)
{
    public DatasetManifest Manifest { get; } = manifest;

    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    /// <summary>The version's vocab.txt, as the tokenizer and the model must use it.</summary>
    public async Task<byte[]> ReadVocabularyAsync(CancellationToken cancellationToken) =>
        (await Datasets.GetBlobClient(StorageLayout.VersionPrefix(Manifest.Dataset, Manifest.Version) + "vocab.txt")
            .DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();

    /// <summary>The label set of a classification version.</summary>
    public async Task<LabelSet> ReadLabelsAsync(CancellationToken cancellationToken)
    {
        var content = await Datasets.GetBlobClient(StorageLayout.VersionPrefix(Manifest.Dataset, Manifest.Version) + "labels.json")
            .DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return LabelSet.Read(content.Value.Content.ToStream());
    }

    /// <summary>Every example of <paramref name="split"/>, in shard order; a corrupt shard fails with its name.</summary>
    public async IAsyncEnumerable<TrainingExample> ReadAsync(string split, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Manifest.Splits.TryGetValue(split, out var info))
        {
            throw new IngestionException($"dataset version {Manifest.Version} has no split '{split}'");
        }

        foreach (var shard in info.Shards)
        {
            var stream = await Datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                ShardReader reader;
                try
                {
                    reader = await ShardReader.OpenAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{shard}: {e.Message}", e);
                }

                using (reader)
                {
                    await foreach (var example in reader.ReadExamplesAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield return example;
                    }
                }
            }
        }
    }
}
