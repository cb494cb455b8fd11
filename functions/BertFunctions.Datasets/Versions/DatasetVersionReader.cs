using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Datasets;

/// <summary>
/// Streams the examples of one split of a dataset version straight from Blob Storage, shard after shard, never
/// holding more than one shard's read buffer: what the trainer and the demo read.
/// </summary>
public sealed class DatasetVersionReader(BlobServiceClient blobs, DatasetManifest manifest)
{
    /// <summary>The version read.</summary>
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
        foreach (var shard in ShardsOf(split))
        {
            using var reader = await OpenShardAsync(shard, cancellationToken).ConfigureAwait(false);
            await foreach (var example in reader.ReadExamplesAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return example;
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
        foreach (var unit in ShardsOf(split).GroupBy(UnitOf, StringComparer.Ordinal))
        {
            var readers = new List<ShardReader>();
            try
            {
                foreach (var shard in unit)
                {
                    readers.Add(await OpenShardAsync(shard, cancellationToken).ConfigureAwait(false));
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

    /// <summary>
    /// The cleaned texts of <paramref name="split"/> of a classification version, one per example, in the order
    /// <see cref="ReadAsync"/> yields the examples.
    /// </summary>
    public async IAsyncEnumerable<UnitDocument> ReadTextAsync(string split, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = Manifest.Splits.TryGetValue(split, out var info) ? info.Text : throw new IngestionException($"dataset version {Manifest.Version} has no split '{split}'");
        if (files is null)
        {
            throw new IngestionException($"dataset version {Manifest.Dataset}/{Manifest.Version} keeps no texts (a {Manifest.Kind} version, or one ingested before texts were kept: any new run ingests the uploads again and keeps them)");
        }

        foreach (var file in files)
        {
            await using var stream = await Datasets.GetBlobClient(file).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await foreach (var document in UnitDocumentFile.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                yield return document;
            }
        }
    }

    private IReadOnlyList<string> ShardsOf(string split) =>
        Manifest.Splits.TryGetValue(split, out var info) ? info.Shards : throw new IngestionException($"dataset version {Manifest.Version} has no split '{split}'");

    /// <summary>A shard's reader, which owns the blob stream; a corrupt header fails with the shard's name.</summary>
    private async Task<ShardReader> OpenShardAsync(string shard, CancellationToken cancellationToken)
    {
        var stream = await Datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return await ShardReader.OpenAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (e is InvalidDataException)
            {
                throw new InvalidDataException($"{shard}: {e.Message}", e);
            }

            throw;
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
