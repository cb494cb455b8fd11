using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>Reads the manifests of a dataset's complete versions (a version is complete once its manifest exists).</summary>
public sealed class DatasetManifestQueries(BlobServiceClient blobs)
{
    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    /// <summary>The newest complete version of a dataset (by its manifest's time), or null when it has none.</summary>
    public async Task<string?> LatestVersionAsync(string dataset, CancellationToken cancellationToken)
    {
        if (!await Datasets.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var prefix = $"{BlobNames.Dataset(dataset)}/versions/";
        (DateTimeOffset When, string Version)? latest = null;
        await foreach (var blob in Datasets.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.Name.EndsWith("/manifest.json", StringComparison.Ordinal) && blob.Properties.LastModified is { } when && (latest is null || when > latest.Value.When))
            {
                latest = (when, blob.Name[prefix.Length..^"/manifest.json".Length]);
            }
        }

        return latest?.Version;
    }

    /// <summary>The manifest of a version; an <see cref="IngestionException"/> when the version does not exist.</summary>
    public async Task<DatasetManifest> ReadAsync(string dataset, string version, CancellationToken cancellationToken)
    {
        var blob = Datasets.GetBlobClient(StorageLayout.Manifest(dataset, version));
        try
        {
            return DatasetManifest.FromJson((await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new IngestionException($"dataset '{dataset}' has no version '{version}'");
        }
    }

    /// <summary>Whether a version is complete (its manifest, written last, exists).</summary>
    public async Task<bool> ExistsAsync(string dataset, string version, CancellationToken cancellationToken) =>
        await Datasets.GetBlobClient(StorageLayout.Manifest(dataset, version)).ExistsAsync(cancellationToken).ConfigureAwait(false);
}
