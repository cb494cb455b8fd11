using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Training.Data;

namespace BertFunctions.Training.Tests;

/// <summary>Label budgets: stratified, seeded subsets of the training split; the held-out splits stay whole.</summary>
public sealed class LabelBudgetTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    [Theory]
    [InlineData(new long[] { 4150, 1877 }, 50, new[] { 34, 16 })]
    [InlineData(new long[] { 4150, 1877 }, 2, new[] { 1, 1 })]
    [InlineData(new long[] { 998, 1, 1 }, 10, new[] { 8, 1, 1 })]
    [InlineData(new long[] { 5, 5 }, 7, new[] { 4, 3 })]
    public void Quotas_are_proportional_with_at_least_one_per_label_and_add_up_to_the_budget(long[] counts, int budget, int[] expected)
    {
        var quotas = LabelBudgetSource.Quotas(counts, budget);

        Assert.Equal(expected, quotas);
        Assert.Equal(budget, quotas.Sum());
    }

    [Fact]
    public async Task The_subset_is_stratified_fixed_by_the_seed_and_leaves_validation_and_test_whole()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = new ListSource([.. Enumerable.Range(0, 100).Select(i => Example(i, i % 10 < 7 ? 0 : 1))]);

        var a = await LabelBudgetSource.CreateAsync(source, 10, seed: 42, ct);
        var again = await LabelBudgetSource.CreateAsync(source, 10, seed: 42, ct);
        var other = await LabelBudgetSource.CreateAsync(source, 10, seed: 7, ct);

        var picked = await IdsAsync(a, DatasetInfo.Train);
        Assert.Equal(10, picked.Count);
        Assert.Equal(10, a.Info.ExamplesIn(DatasetInfo.Train));
        Assert.Equal([7L, 3L], a.Info.TrainLabelCounts);
        Assert.Equal(7, picked.Count(id => id % 10 < 7));
        Assert.Equal(picked, await IdsAsync(again, DatasetInfo.Train));
        Assert.NotEqual(picked, await IdsAsync(other, DatasetInfo.Train));
        Assert.Equal(await IdsAsync(source, DatasetInfo.Validation), await IdsAsync(a, DatasetInfo.Validation));
        Assert.Same(source, await LabelBudgetSource.CreateAsync(source, 100, seed: 42, ct));
        await Assert.ThrowsAsync<JobSpecException>(() => LabelBudgetSource.CreateAsync(source, 1, seed: 42, ct));
    }

    [Fact]
    public async Task A_classify_job_with_a_budget_trains_on_that_many_examples_and_is_scored_on_the_whole_test_split()
    {
        var ct = TestContext.Current.CancellationToken;
        var spec = new TrainingJobSpec
        {
            JobId = "reviews-budget",
            Mode = JobMode.Classify,
            Base = ModelBase.None,
            Config = TrainingFixture.TinyConfig,
            Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
            Hyperparameters = new Hyperparameters { TrainExamples = 16, BatchSize = 8, Epochs = 2, EvalEverySteps = 100, CheckpointEverySteps = 100, LearningRate = 1e-3 },
        };
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(spec, events, ct);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(4, result.Steps); // 2 epochs of 16 examples in batches of 8
        // Scored on every test example, not on 16 of them: metrics.json's per-example labels are the whole stored
        // test split in its order, and the reported accuracy is that of those predictions.
        var stored = new List<int>();
        var source = await BlobExampleSource.OpenAsync(fixture.Blobs, spec.Dataset, ct);
        await foreach (var example in source.ReadAsync(DatasetInfo.Test, ct))
        {
            stored.Add(example.Label);
        }

        using var metrics = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(result.MetricsFile!, ct));
        var test = metrics.RootElement.GetProperty("splits").GetProperty("test").GetProperty("classification");
        var labels = test.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var predictions = test.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.True(stored.Count > 16, $"the fixture's test split has {stored.Count} examples");
        Assert.Equal(stored, labels);
        Assert.Equal(labels.Zip(predictions).Count(p => p.First == p.Second) / (double)labels.Count, result.Metrics["test.accuracy"], 12);
    }

    private static TrainingExample Example(int id, int label) => new([id], [], [], label);

    private static async Task<List<int>> IdsAsync(IExampleSource source, string split)
    {
        var ids = new List<int>();
        await foreach (var e in source.ReadAsync(split, TestContext.Current.CancellationToken))
        {
            ids.Add(e.InputIds[0]);
        }

        return ids;
    }

    /// <summary>A classification source over a list (the logic under test is the subset, not shard reading).</summary>
    private sealed class ListSource(IReadOnlyList<TrainingExample> train) : IExampleSource
    {
        public DatasetInfo Info { get; } = new("toy", "v1", true, [], "", 10, 8, ["a", "b"], [70, 30],
            new Dictionary<string, long> { [DatasetInfo.Train] = train.Count, [DatasetInfo.Validation] = 5 });

        public async IAsyncEnumerable<TrainingExample> ReadAsync(string split, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var items = split == DatasetInfo.Train ? train : [.. Enumerable.Range(1000, 5).Select(i => Example(i, 0))];
            foreach (var item in items)
            {
                await Task.Yield();
                yield return item;
            }
        }
    }
}
