using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;

namespace BertFunctions.Storage;

/// <summary>Small JSON documents in blobs (manifests, indexes, run records, live pointers, plans): written whole, read back or null when absent.</summary>
public static class JsonBlobs
{
    public static async Task WriteAsync<T>(BlobContainerClient container, string name, T value, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, options)), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<T?> TryReadAsync<T>(BlobContainerClient container, string name, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize<T>(content.Value.Content.ToMemory().Span, options);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
