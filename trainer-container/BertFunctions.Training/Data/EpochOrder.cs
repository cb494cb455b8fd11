using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// The order of one epoch: a streaming shuffle buffer (as tf.data's <c>shuffle</c>) driven by xoshiro256** seeded from
/// (job seed, epoch). A split no larger than the buffer is shuffled uniformly; a larger one is shuffled locally,
/// never holding more than <c>bufferSize</c> examples. The same seed, epoch and input order give the same output.
/// </summary>
public static class EpochOrder
{
    /// <summary>Examples held for shuffling by default.</summary>
    public const int DefaultBufferSize = 16_384;

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

    /// <summary>Yields <paramref name="source"/> shuffled through a buffer of <paramref name="bufferSize"/> examples.</summary>
    public static async IAsyncEnumerable<TrainingExample> ShuffleAsync(IAsyncEnumerable<TrainingExample> source, ulong seed, int bufferSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        var random = new Xoshiro256StarStar(seed);
        var buffer = new List<TrainingExample>(Math.Min(bufferSize, 4096));
        await foreach (var example in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (buffer.Count < bufferSize)
            {
                buffer.Add(example);
                continue;
            }

            // Full: hand out a random resident and take the newcomer in its place.
            var j = random.NextInt(bufferSize);
            yield return buffer[j];
            buffer[j] = example;
        }

        var rest = buffer.ToArray();
        random.Shuffle(rest.AsSpan());
        foreach (var example in rest)
        {
            yield return example;
        }
    }
}
