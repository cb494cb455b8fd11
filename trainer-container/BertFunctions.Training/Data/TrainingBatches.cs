using System.Runtime.CompilerServices;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// The endless stream of training micro-batches: epoch after epoch of the train split in <see cref="EpochOrder"/> (a
/// seeded permutation of the whole split, which is read once and held in memory: token ids, about 0.5 KB per
/// 128-token example), cut into batches of <c>batchSize</c> (the last of an epoch may be smaller), dynamically re-masked when asked.
/// With <c>groupByLength</c> (classification) examples of similar length share a batch (<see cref="LengthGrouping"/>), so
/// that less of each batch is padding. Starting from a <see cref="DataPosition"/> reproduces exactly the batches an
/// uninterrupted run would see from there.
/// </summary>
public sealed class TrainingBatches(IExampleSource source, BatchCollator collator, int batchSize, int seed, DynamicMasking? dynamicMasking,
    bool groupByLength = false)
{
    private List<TrainingExample>? split;

    /// <summary>Micro-batches from <paramref name="start"/> on, forever (the trainer stops reading).</summary>
    public async IAsyncEnumerable<Batch> ReadAsync(DataPosition start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (source.Info.ExamplesIn(DatasetInfo.Train) == 0)
        {
            throw new TrainingFailedException($"dataset {source.Info.Name}/{source.Info.Version} has no training examples");
        }

        for (var epoch = start.Epoch; ; epoch++)
        {
            var skip = epoch == start.Epoch ? start.ExamplesConsumed : 0;
            long consumed = 0;
            var pending = new List<TrainingExample>(batchSize);
            split ??= await source.ReadAsync(DatasetInfo.Train, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
            var examples = EpochOrder.Shuffle(split, EpochOrder.Seed(seed, epoch)).ToAsyncEnumerable();
            if (groupByLength)
            {
                examples = LengthGrouping.GroupAsync(examples, batchSize, LengthGrouping.Seed(seed, epoch), cancellationToken);
            }

            await foreach (var example in examples.ConfigureAwait(false))
            {
                if (consumed++ < skip)
                {
                    continue;
                }

                pending.Add(example);
                if (pending.Count == batchSize)
                {
                    yield return Make(pending, epoch, consumed);
                    pending = new List<TrainingExample>(batchSize);
                }
            }

            if (pending.Count > 0)
            {
                yield return Make(pending, epoch, consumed);
            }
        }
    }

    private Batch Make(List<TrainingExample> examples, int epoch, long consumed)
    {
        // Masks are seeded by (job, epoch, batch index in the epoch): a resumed run re-draws the same masks.
        var batchIndex = (consumed - examples.Count) / batchSize;
        IReadOnlyList<TrainingExample> masked = dynamicMasking is null ? examples : dynamicMasking.MaskBatch(examples, epoch, batchIndex);
        return collator.Collate(masked, new DataPosition(epoch, consumed));
    }
}
