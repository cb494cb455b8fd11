using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>Creates the blob containers the pipeline uses, before anything is written to them.</summary>
public static class PipelineContainers
{
    /// <summary>Creates every container of <see cref="StorageLayout.AllContainers"/> that is missing (no public access).</summary>
    public static async Task EnsureAsync(BlobServiceClient blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        foreach (var name in StorageLayout.AllContainers)
        {
            await blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
