using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BertFunctions.Datasets;

/// <summary>
/// Seeds derived from names, so every work unit can be regenerated alone: BERT's reference generator uses
/// one random stream per (dataset, shard, dupe copy); here the stream's seed is a hash of a canonical string.
/// </summary>
public static class Seeds
{
    /// <summary>
    /// The seed of static-masking copy <paramref name="copy"/> of shard <paramref name="shard"/>: the first
    /// 8 bytes, little-endian, of SHA-256 over the UTF-8 of
    /// <c>bertfn-datasets/v1|static|{datasetVersion}|shard={shard}|copy={copy}</c> (invariant integers).
    /// </summary>
    public static ulong Derive(string datasetVersion, int shard, int copy)
    {
        ArgumentNullException.ThrowIfNull(datasetVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(copy);
        return Hash(string.Create(CultureInfo.InvariantCulture, $"bertfn-datasets/v1|static|{datasetVersion}|shard={shard}|copy={copy}"));
    }

    /// <summary>
    /// The seed of dynamic masking at one training step: SHA-256 as in <see cref="Derive"/> over
    /// <c>bertfn-datasets/v1|dynamic|{runId}|epoch={epoch}|step={step}</c>.
    /// </summary>
    public static ulong DeriveDynamic(string runId, int epoch, long step)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Hash(string.Create(CultureInfo.InvariantCulture, $"bertfn-datasets/v1|dynamic|{runId}|epoch={epoch}|step={step}"));
    }

    private static ulong Hash(string canonical)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
