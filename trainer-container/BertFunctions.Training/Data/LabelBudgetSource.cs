using System.Runtime.CompilerServices;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// A label budget: the training split cut to <c>budget</c> examples, stratified (each label keeps its share, at least
/// one example) and drawn by a seeded hash of each example's position, so the same (dataset, budget, seed) always gives
/// the same subset and different seeds give different ones, as label-budget experiments need. Validation and test are
/// untouched: every budget is measured on the same held-out examples. Wraps any source; positions are ordinals in the
/// split's stored order, which every read of a source repeats.
/// </summary>
public sealed class LabelBudgetSource : IExampleSource
{
    private readonly IExampleSource inner;
    private readonly HashSet<long> kept;

    private LabelBudgetSource(IExampleSource inner, HashSet<long> kept, DatasetInfo info)
    {
        this.inner = inner;
        this.kept = kept;
        Info = info;
    }

    public DatasetInfo Info { get; }

    /// <summary>The subset; <paramref name="source"/> itself when the budget covers the whole split.</summary>
    public static async Task<IExampleSource> CreateAsync(IExampleSource source, int budget, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var info = source.Info;
        if (!info.IsClassification || info.Labels is not { } labels)
        {
            throw new JobSpecException("hyperparameters.train_examples is a label budget: it applies to classification datasets only");
        }

        if (budget < labels.Count)
        {
            throw new JobSpecException($"hyperparameters.train_examples = {budget} is smaller than the number of labels ({labels.Count}): every label needs an example");
        }

        if (budget >= info.ExamplesIn(DatasetInfo.Train))
        {
            return source;
        }

        var trainLabels = new List<int>();
        await foreach (var example in source.ReadAsync(DatasetInfo.Train, cancellationToken).ConfigureAwait(false))
        {
            trainLabels.Add(example.Label);
        }

        var (kept, quotas) = Choose(trainLabels, labels.Count, budget, seed);
        var splits = new Dictionary<string, long>(info.SplitExamples, StringComparer.Ordinal) { [DatasetInfo.Train] = kept.Count };
        return new LabelBudgetSource(source, kept, info with { SplitExamples = splits, TrainLabelCounts = [.. quotas.Select(q => (long)q)] });
    }

    public async IAsyncEnumerable<TrainingExample> ReadAsync(string split, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long position = 0;
        await foreach (var example in inner.ReadAsync(split, cancellationToken).ConfigureAwait(false))
        {
            if (split != DatasetInfo.Train || kept.Contains(position))
            {
                yield return example;
            }

            position++;
        }
    }

    /// <summary>
    /// The positions (ordinals in the split's stored order) of the subset, and the examples per label: within each
    /// label, the lowest seeded ranks. Every reader of the same split that sees the labels in the same order (the
    /// token shards here, the texts for the TF-IDF baseline) chooses the same examples.
    /// </summary>
    public static (HashSet<long> Kept, int[] Quotas) Choose(IReadOnlyList<int> labelsInOrder, int labelCount, int budget, int seed)
    {
        ArgumentNullException.ThrowIfNull(labelsInOrder);
        var byLabel = Enumerable.Range(0, labelCount).Select(_ => new List<(ulong Rank, long Position)>()).ToArray();
        for (var position = 0; position < labelsInOrder.Count; position++)
        {
            byLabel[labelsInOrder[position]].Add((Rank(seed, position), position));
        }

        var quotas = Quotas(byLabel.Select(l => (long)l.Count).ToArray(), budget);
        var kept = new HashSet<long>();
        for (var label = 0; label < byLabel.Length; label++)
        {
            foreach (var (_, p) in byLabel[label].OrderBy(e => e.Rank).Take(quotas[label]))
            {
                kept.Add(p);
            }
        }

        return (kept, quotas);
    }

    /// <summary>Examples per label: proportional to the split, at least one each (largest remainders), summing to the budget.</summary>
    public static int[] Quotas(long[] counts, int budget)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var total = counts.Sum();
        var quotas = counts.Select(c => c == 0 ? 0 : (int)Math.Max(1, budget * c / total)).ToArray();
        var remainders = counts.Select((c, i) => (Label: i, Remainder: (double)budget * c / total - quotas[i])).OrderByDescending(r => r.Remainder).ThenBy(r => r.Label).ToList();
        for (var k = 0; quotas.Sum() < budget; k = (k + 1) % remainders.Count)
        {
            var label = remainders[k].Label;
            if (quotas[label] < counts[label])
            {
                quotas[label]++;
            }
        }

        // The at-least-one rule can overshoot a tiny budget: take back from the largest.
        while (quotas.Sum() > budget)
        {
            var largest = Array.IndexOf(quotas, quotas.Max());
            quotas[largest]--;
        }

        return quotas;
    }

    /// <summary>SplitMix64 of (seed, position): a fixed, well-spread rank per example.</summary>
    private static ulong Rank(int seed, long position)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)position) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
