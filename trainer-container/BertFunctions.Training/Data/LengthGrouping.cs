using System.Runtime.CompilerServices;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// Length-grouped order (HF's <c>LengthGroupedSampler</c>): the shuffled epoch is cut into windows of
/// <see cref="BatchesPerWindow"/> batches, each window is sorted by length (longest first) and cut into batches, and the
/// window's full batches are put in a seeded random order. Batches then hold sequences of similar length and pad
/// little, while the epoch stays random at the scale of windows. A window's short last batch (only the epoch's last
/// window has one) stays last, so the output cut into batches of <c>batchSize</c> gives exactly these batches: that is
/// what lets a resumed run skip consumed examples and see the same batches.
/// </summary>
public static class LengthGrouping
{
    /// <summary>Batches per sorted window (HF's mega-batch multiplier).</summary>
    public const int BatchesPerWindow = 50;

    /// <summary>The seed of epoch <paramref name="epoch"/>'s batch order within windows.</summary>
    public static ulong Seed(int seed, int epoch) => EpochOrder.Seed("length-groups", seed, epoch);

    /// <summary>Yields <paramref name="source"/> regrouped window by window (never more than one window held).</summary>
    public static async IAsyncEnumerable<TrainingExample> GroupAsync(IAsyncEnumerable<TrainingExample> source, int batchSize, ulong seed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var random = new Xoshiro256StarStar(seed);
        var window = new List<TrainingExample>(batchSize * BatchesPerWindow);
        await foreach (var example in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            window.Add(example);
            if (window.Count == batchSize * BatchesPerWindow)
            {
                foreach (var e in Regroup(window, batchSize, random))
                {
                    yield return e;
                }

                window.Clear();
            }
        }

        foreach (var e in Regroup(window, batchSize, random))
        {
            yield return e;
        }
    }

    private static List<TrainingExample> Regroup(List<TrainingExample> window, int batchSize, Xoshiro256StarStar random)
    {
        // Stable sort, longest first: ties keep their shuffled order.
        var sorted = window.OrderByDescending(e => e.InputIds.Length).ToList();
        var full = sorted.Count / batchSize;
        var order = Enumerable.Range(0, full).ToArray();
        random.Shuffle(order.AsSpan());
        var result = new List<TrainingExample>(sorted.Count);
        foreach (var b in order)
        {
            result.AddRange(sorted.GetRange(b * batchSize, batchSize));
        }

        result.AddRange(sorted.GetRange(full * batchSize, sorted.Count - (full * batchSize))); // the short batch, last
        return result;
    }
}
