using System.Security.Cryptography;

namespace BertFunctions.Contracts.Packages;

/// <summary>SHA-256 of files and text, as lower-case hex (the form manifests store).</summary>
public static class FileHashes
{
    /// <summary>Size and SHA-256 of a file, read once.</summary>
    public static async Task<(long Size, string Sha256)> OfFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return (stream.Length, Convert.ToHexStringLower(hash));
        }
    }

    /// <summary>Size and SHA-256 of a stream read to its end once (a blob's download stream, say), without keeping it.</summary>
    public static async Task<(long Size, string Sha256)> OfStreamAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await CopyAsync(stream, Stream.Null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, returning the size and SHA-256 of what was copied.</summary>
    public static async Task<(long Size, string Sha256)> CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            size += read;
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
