using System.Security.Cryptography;

namespace BertFunctions.Export;

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

    /// <summary>SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
