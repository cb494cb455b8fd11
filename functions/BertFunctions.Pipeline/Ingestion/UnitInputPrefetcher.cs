using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// Opens the inputs of a work unit in order while fetching the next ones ahead: a unit of a thousand small emails
/// otherwise pays two round trips per file (properties, then content) one after the other. Small whole files come in
/// one conditional GET into memory; large files and byte ranges are opened as seekable blob streams, as before.
/// Both fail the read with 412 if the blob changed since planning (the ETag condition).
/// </summary>
internal static class UnitInputPrefetcher
{
    /// <summary>Whole files up to this size are downloaded into memory ahead of their turn.</summary>
    private const long InMemoryBytes = 4L * 1024 * 1024;

    /// <summary>At most this many inputs in flight ahead of the one being read...</summary>
    private const int MaxAhead = 16;

    /// <summary>...and at most this many bytes of them buffered (the one being read always goes).</summary>
    private const long MaxAheadBytes = 16L * 1024 * 1024;

    public static async IAsyncEnumerable<(UnitInput Input, Stream Content)> OpenAsync(
        BlobContainerClient uploads,
        IReadOnlyList<UnitInput> inputs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<(UnitInput Input, Task<Stream> Content)>();
        var next = 0;
        long aheadBytes = 0;
        try
        {
            while (next < inputs.Count || pending.Count > 0)
            {
                while (next < inputs.Count && pending.Count < MaxAhead && (pending.Count == 0 || aheadBytes + Buffered(inputs[next]) <= MaxAheadBytes))
                {
                    var input = inputs[next++];
                    aheadBytes += Buffered(input);
                    pending.Enqueue((input, OpenOneAsync(uploads, input, stop.Token)));
                }

                var (current, content) = pending.Dequeue();
                aheadBytes -= Buffered(current);
                yield return (current, await content.ConfigureAwait(false));
            }
        }
        finally
        {
            // Stopped early (an error or cancellation): let the fetches still running end, and release what they got.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var (_, content) in pending)
            {
                await ((Task)content).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (content.IsCompletedSuccessfully)
                {
                    await content.Result.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static long Buffered(UnitInput input) => IsInMemory(input) ? input.Size : 0;

    private static bool IsInMemory(UnitInput input) => input.Range is null && input.Size <= InMemoryBytes;

    private static async Task<Stream> OpenOneAsync(BlobContainerClient uploads, UnitInput input, CancellationToken cancellationToken)
    {
        var conditions = string.IsNullOrEmpty(input.ETag) ? null : new BlobRequestConditions { IfMatch = new ETag(input.ETag) };
        var blob = uploads.GetBlobClient(input.BlobName);
        if (IsInMemory(input))
        {
            var content = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToStream();
        }

        // A seekable stream over the blob: a byte-range unit seeks to its start (the reader finishes its last
        // record past the end).
        return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
    }
}
