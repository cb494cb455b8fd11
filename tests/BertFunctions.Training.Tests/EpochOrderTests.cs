using BertFunctions.Datasets;
using BertFunctions.Training.Data;

namespace BertFunctions.Training.Tests;

/// <summary>The epoch order is one seeded permutation of the whole split, whatever order the shards store it in.</summary>
public sealed class EpochOrderTests
{
    [Fact]
    public void The_permutation_is_seeded_changes_with_the_epoch_and_holds_every_index_once()
    {
        var a = EpochOrder.Permutation(50, EpochOrder.Seed(1, 0));
        Assert.Equal(a, EpochOrder.Permutation(50, EpochOrder.Seed(1, 0)));
        Assert.NotEqual(a, EpochOrder.Permutation(50, EpochOrder.Seed(1, 1)));
        Assert.NotEqual(a, EpochOrder.Permutation(50, EpochOrder.Seed(2, 0)));
        Assert.NotEqual(Enumerable.Range(0, 50), a);
        Assert.Equal(Enumerable.Range(0, 50), a.Order());
        Assert.Empty(EpochOrder.Permutation(0, 1));
    }

    [Fact]
    public async Task The_first_batches_draw_from_every_work_unit_in_proportion_to_its_size()
    {
        // Stored as ingestion stores an MLM split: three work units (uploads in name order) of 1,000, 3,000 and 6,000
        // sequences, each unit's 5 masking copies back to back: 50,000 examples, unit 2 starting at example 20,000.
        const int Copies = 5;
        int[] units = [1_000, 3_000, 6_000];
        var examples = new List<TrainingExample>();
        for (var unit = 0; unit < units.Length; unit++)
        {
            for (var copy = 0; copy < Copies; copy++)
            {
                examples.AddRange(Enumerable.Range(0, units[unit]).Select(i => new TrainingExample([unit, i, copy], [], [], TrainingExample.NoLabel)));
            }
        }

        var source = new MemoryExampleSource(examples, classification: false);
        var batches = await new TrainingBatches(source, new BatchCollator(0, classification: false), 32, seed: 42, dynamicMasking: null)
            .ReadAsync(DataPosition.Start, TestContext.Current.CancellationToken).Take(10).ToListAsync(TestContext.Current.CancellationToken);

        // 320 draws: each unit's count is binomial(320, its share); 4 standard deviations either side.
        var drawn = batches.SelectMany(b => b.InputIds.Chunk(3).Select(ids => (Unit: (int)ids[0], Sequence: (int)ids[1]))).ToList();
        Assert.Equal(320, drawn.Count);
        for (var unit = 0; unit < units.Length; unit++)
        {
            var share = (double)units[unit] / units.Sum();
            var (expected, sd) = (320 * share, Math.Sqrt(320 * share * (1 - share)));
            var count = drawn.Count(d => d.Unit == unit);
            Assert.True(Math.Abs(count - expected) <= 4 * sd, $"unit {unit}: {count} of 320 drawn, expected {expected:F0} ± {4 * sd:F0}");
        }

        // And not the same sequence over and over: 320 draws from 10,000 sequences repeat a handful at most.
        Assert.True(drawn.Distinct().Count() >= 310, $"{drawn.Distinct().Count()} distinct sequences in 320 draws");
    }
}
