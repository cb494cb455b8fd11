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

    /// <summary>
    /// The first of <paramref name="copies"/> static masking copies of <paramref name="split"/>. Each work unit's shards
    /// (<c>u{unit}-shard-*</c>) hold its copies one after the other, all of copy 0 first, so copy 0 is the first
    /// 1/<paramref name="copies"/> of each unit's examples. A unit whose count is not a multiple is read whole.
    /// </summary>
    public async IAsyncEnumerable<TrainingExample> ReadFirstCopyAsync(string split, int copies, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        if (!Manifest.Splits.TryGetValue(split, out var info))
        {
            throw new IngestionException($"dataset version {Manifest.Version} has no split '{split}'");
        }

        foreach (var unit in info.Shards.GroupBy(UnitOf, StringComparer.Ordinal))
        {
            var readers = new List<ShardReader>();
            try
            {
                foreach (var shard in unit)
                {
                    var stream = await Datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    try
                    {
                        readers.Add(await ShardReader.OpenAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false));
                    }
                    catch (InvalidDataException e)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        throw new InvalidDataException($"{shard}: {e.Message}", e);
                    }
                }

                long total = readers.Sum(r => (long)r.Count);
                var take = total % copies == 0 ? total / copies : total;
                foreach (var reader in readers)
                {
                    await foreach (var example in reader.ReadExamplesAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (take-- <= 0)
                        {
                            break;
                        }

                        yield return example;
                    }

                    if (take <= 0)
                    {
                        break;
                    }
                }
            }
            finally
            {
                foreach (var reader in readers)
                {
                    reader.Dispose();
                }
            }
        }
    }

    /// <summary>The work unit a shard belongs to: its file name up to <c>-shard-</c> (<c>u00003</c>), or the whole name.</summary>
    private static string UnitOf(string shard)
    {
        var name = shard[(shard.LastIndexOf('/') + 1)..];
        var cut = name.IndexOf("-shard-", StringComparison.Ordinal);
        return cut < 0 ? name : name[..cut];
    }
}
