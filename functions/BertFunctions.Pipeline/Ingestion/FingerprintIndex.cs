using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// Which version a set of inputs produced (<c>datasets/{dataset}/fingerprints/{fingerprint}.json</c>): how a
/// re-ingest of unchanged uploads finds its version without reading them again.
/// </summary>
internal sealed class FingerprintIndex(BlobContainerClient datasets)
{
    /// <summary>The complete version these inputs produced before, or null.</summary>
    public async Task<string?> FindAsync(string dataset, string fingerprint, CancellationToken cancellationToken)
    {
        var entry = await JsonBlobs.TryReadAsync<FingerprintEntry>(datasets, StorageLayout.FingerprintIndex(dataset, fingerprint), JsonSerializerOptions.Default, cancellationToken).ConfigureAwait(false);
        // An entry whose version lost its manifest (deleted, or never finished) does not count.
        return entry is not null && await datasets.GetBlobClient(StorageLayout.Manifest(dataset, entry.Version)).ExistsAsync(cancellationToken).ConfigureAwait(false)
            ? entry.Version
            : null;
    }

    /// <summary>Records that these inputs produced <paramref name="version"/>.</summary>
    public Task RecordAsync(string dataset, string fingerprint, string version, CancellationToken cancellationToken) =>
        JsonBlobs.WriteAsync(datasets, StorageLayout.FingerprintIndex(dataset, fingerprint), new FingerprintEntry(version), JsonSerializerOptions.Default, cancellationToken);

    private sealed record FingerprintEntry(string Version);
}
