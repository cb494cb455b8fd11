using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace BertFunctions.Contracts.Storage;

/// <summary>Small JSON documents in blobs (manifests, indexes, run records, live pointers, plans): written whole, read back or null when absent.</summary>
public static class JsonBlobs
{
    public static async Task WriteAsync<T>(BlobContainerClient container, string name, T value, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, options)), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="TryReadAsync{T}"/>, for listings of many documents (the runs page, the models list): one that is
    /// not valid JSON for <typeparamref name="T"/> is skipped (null) and reported to <paramref name="malformed"/> (blob
    /// name, reason), so that one bad blob does not break the page.
    /// </summary>
    public static async Task<T?> TryReadListedAsync<T>(BlobContainerClient container, string name, JsonSerializerOptions options, Action<string, string> malformed, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(malformed);
        try
        {
            return await TryReadAsync<T>(container, name, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            malformed(name, e.Message);
            return null;
        }
    }

    /// <summary>As <see cref="TryReadAsync{T}"/>, with the blob's ETag, for a conditional write of what was read.</summary>
    public static async Task<(T? Value, string? ETag)> TryReadWithETagAsync<T>(BlobContainerClient container, string name, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return (JsonSerializer.Deserialize<T>(content.Value.Content.ToMemory().Span, options), content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> only if the blob still has ETag <paramref name="ifMatch"/>, or, with null, only
    /// if there is no blob; false when it changed in between (optimistic concurrency).
    /// </summary>
    public static async Task<bool> TryWriteIfAsync<T>(BlobContainerClient container, string name, T value, string? ifMatch, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var conditions = ifMatch is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, options)), new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
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
