using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// The order of one epoch: one uniformly random permutation of every example of the split (Fisher-Yates driven by
/// xoshiro256** seeded from (job seed, epoch)), as PyTorch's <c>RandomSampler</c> with a seeded generator. Not a
/// streaming shuffle buffer: shards follow the sorted upload names and store their masking copies back to back, so a
/// buffer smaller than the split hands the first steps one corner of the corpus (the first uploads, several copies of
/// each) and none of the rest. The same seed, epoch and example count give the same permutation.
/// </summary>
public static class EpochOrder
{
    /// <summary>The seed of epoch <paramref name="epoch"/>'s order: first 8 bytes of SHA-256 of a canonical string.</summary>
    public static ulong Seed(int seed, int epoch) => Seed("order", seed, epoch);

    /// <summary>
    /// The seed of one use (<paramref name="purpose"/>) of randomness in epoch <paramref name="epoch"/> of a job: the
    /// first 8 bytes of SHA-256 of <c>bertfn-training/v1|{purpose}|seed={seed}|epoch={epoch}</c>.
    /// </summary>
    internal static ulong Seed(string purpose, int seed, int epoch)
    {
        var canonical = string.Create(CultureInfo.InvariantCulture, $"bertfn-training/v1|{purpose}|seed={seed}|epoch={epoch}");
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1 drawn from <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        new Xoshiro256StarStar(seed).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>The examples of one epoch, <paramref name="split"/> permuted by <paramref name="seed"/>.</summary>
    public static IEnumerable<TrainingExample> Shuffle(IReadOnlyList<TrainingExample> split, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(split);
        foreach (var index in Permutation(split.Count, seed))
        {
            yield return split[index];
        }
    }
}
