using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Cli.Storage;

/// <summary>
/// Uploads a local file or folder under a blob prefix, skipping files whose content is already there (same MD5),
/// so that re-running an ingest leaves the blobs (and their ETags) untouched and the pipeline recognises them.
/// </summary>
public static class Uploader
{
    public sealed record Outcome(int Uploaded, int Unchanged, long Bytes);

    public static async Task<Outcome> UploadAsync(BlobContainerClient container, string source, string prefix, Func<string, bool> accepts, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(accepts);
        var files = ListFiles(source).Where(f => accepts(f.Relative)).ToList();
        var existing = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.Properties.ContentHash is { Length: > 0 } hash)
            {
                existing[blob.Name] = hash;
            }
        }

        var uploaded = 0;
        var unchanged = 0;
        long bytes = 0;
        var done = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            var name = prefix + BlobNames.RelativePath(file.Relative);
            byte[] md5;
            await using (var stream = File.OpenRead(file.FullPath))
            {
                // MD5 because Blob Storage stores and compares Content-MD5: a change detector, not security.
#pragma warning disable CA5351
                md5 = await MD5.HashDataAsync(stream, ct).ConfigureAwait(false);
#pragma warning restore CA5351
            }

            if (existing.TryGetValue(name, out var current) && current.AsSpan().SequenceEqual(md5))
            {
                Interlocked.Increment(ref unchanged);
            }
            else
            {
                await using var stream = File.OpenRead(file.FullPath);
                await container.GetBlobClient(name).UploadAsync(stream, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5 } }, ct).ConfigureAwait(false);
                Interlocked.Increment(ref uploaded);
                Interlocked.Add(ref bytes, stream.Length);
            }

            progress?.Invoke(Interlocked.Increment(ref done), files.Count);
        }).ConfigureAwait(false);
        return new Outcome(uploaded, unchanged, bytes);
    }

    private sealed record LocalFile(string FullPath, string Relative);

    private static List<LocalFile> ListFiles(string source)
    {
        if (File.Exists(source))
        {
            return [new LocalFile(Path.GetFullPath(source), Path.GetFileName(source))];
        }

        if (!Directory.Exists(source))
        {
            throw new Io.CliException($"source '{source}' not found", Io.ExitCodes.NoInput);
        }

        var root = Path.GetFullPath(source);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => new LocalFile(f, Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
            .ToList();
    }
}
