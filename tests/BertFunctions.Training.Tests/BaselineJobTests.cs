using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Training.Baselines;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Data;

namespace BertFunctions.Training.Tests;

/// <summary>The TF-IDF + logistic-regression baseline as a trainer job, on a dataset version ingested into Azurite.</summary>
public sealed class BaselineJobTests(TrainingFixture fixture)
{
    private TrainingJobSpec Spec(string jobId, int? budget = null, int seed = 42) => new()
    {
        JobId = jobId,
        Mode = JobMode.Baseline,
        Base = ModelBase.None,
        Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
        Hyperparameters = new Hyperparameters { TrainExamples = budget },
        Seed = seed,
    };

    [Fact]
    public async Task The_version_keeps_one_text_per_example_in_the_shards_order_with_the_same_labels()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await BlobExampleSource.OpenAsync(fixture.Blobs, new DatasetReference("reviews", fixture.ReviewsVersion), ct);
        foreach (var split in (string[])[DatasetInfo.Train, DatasetInfo.Validation, DatasetInfo.Test])
        {
            var shardLabels = new List<string>();
            await foreach (var example in source.ReadAsync(split, ct))
            {
                shardLabels.Add(source.Info.Labels![example.Label]);
            }

            var texts = new List<BertFunctions.Datasets.UnitDocument>();
            await foreach (var document in source.ReadTextAsync(split, ct))
            {
                texts.Add(document);
            }

            Assert.NotEmpty(texts);
            Assert.Equal(shardLabels, texts.Select(t => t.Label));
            Assert.All(texts, t => Assert.Matches("^the [a-z]+ was [a-z]+ and", t.Text));
        }
    }

    [Fact]
    public async Task A_baseline_job_scores_validation_and_test_and_its_metrics_are_those_of_its_predictions()
    {
        var ct = TestContext.Current.CancellationToken;
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(Spec("baseline-reviews"), events, ct);

        Assert.True(result.Succeeded, result.Error);
        Figures.Report($"TF-IDF baseline on reviews: validation accuracy {result.Metrics["validation.accuracy"]:F3}, test macro-F1 {result.Metrics["test.macro_f1"]:F3}, fitted in {events.Events[^1].Cost!.TrainSeconds:F2} s");
        Assert.True(result.Metrics["test.accuracy"] >= 0.9, $"test accuracy {result.Metrics["test.accuracy"]}: the words carry the label");
        Assert.Equal([TrainingEventKind.Started, TrainingEventKind.Checkpoint, TrainingEventKind.Completed], events.Events.Select(e => e.Kind));
        var completed = events.Events[^1];
        Assert.Equal("fp32", completed.Cost!.Precision);
        Assert.DoesNotContain(completed.Metrics!.Keys, k => k.Count(c => c == '.') > 1);

        // Recomputed here from metrics.json's per-example labels and predictions, independently of ClassificationMetrics.
        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(result.MetricsFile!, ct));
        foreach (var split in (string[])["validation", "test"])
        {
            var c = metrics.RootElement.GetProperty("splits").GetProperty(split).GetProperty("classification");
            var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var predictions = c.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(labels.Zip(predictions).Count(p => p.First == p.Second) / (double)labels.Length, result.Metrics[$"{split}.accuracy"], 12);
            var f1 = Enumerable.Range(0, 2).Select(k =>
            {
                double tp = labels.Zip(predictions).Count(p => p.First == k && p.Second == k);
                double fp = labels.Zip(predictions).Count(p => p.First != k && p.Second == k);
                double fn = labels.Zip(predictions).Count(p => p.First == k && p.Second != k);
                return tp == 0 ? 0 : 2 * tp / ((2 * tp) + fp + fn);
            }).Average();
            Assert.Equal(f1, result.Metrics[$"{split}.macro_f1"], 12);

            var stored = new List<int>();
            var source = await BlobExampleSource.OpenAsync(fixture.Blobs, new DatasetReference("reviews", fixture.ReviewsVersion), ct);
            await foreach (var example in source.ReadAsync(split, ct))
            {
                stored.Add(example.Label);
            }

            Assert.Equal(stored, labels); // the same examples, in the same order, as a BERT arm's metrics.json
        }

        var blobs = await fixture.CheckpointBlobsAsync("baseline-reviews/");
        Assert.Contains("baseline-reviews/step-00000001/" + BaselineJob.ModelFile, blobs);
        Assert.Contains("baseline-reviews/step-00000001/" + CheckpointFiles.Metrics, blobs);

        // Delivered again: the recorded result, without fitting again.
        var again = new EventRecorder();
        using var second = await fixture.Runner().RunAsync(Spec("baseline-reviews"), again, ct);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal([TrainingEventKind.Started, TrainingEventKind.Completed], again.Events.Select(e => e.Kind));
        Assert.Equal(completed.Metrics, again.Events[^1].Metrics);
    }

    [Fact]
    public async Task A_label_budget_trains_on_the_subset_a_classify_job_with_that_budget_and_seed_gets()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await BlobExampleSource.OpenAsync(fixture.Blobs, new DatasetReference("reviews", fixture.ReviewsVersion), ct);
        var subset = await LabelBudgetSource.CreateAsync(source, 20, 7, ct);
        var bertTexts = new List<(int, long)>();
        await foreach (var example in subset.ReadAsync(DatasetInfo.Train, ct))
        {
            bertTexts.Add((example.Label, example.InputIds.LongLength));
        }

        // The baseline's choice over the texts' labels, mapped back to the shards' examples: the same 20.
        var textLabels = new List<int>();
        await foreach (var document in source.ReadTextAsync(DatasetInfo.Train, ct))
        {
            textLabels.Add(source.Info.Labels!.ToList().IndexOf(document.Label!));
        }

        var (kept, quotas) = LabelBudgetSource.Choose(textLabels, 2, 20, 7);
        var all = new List<(int, long)>();
        await foreach (var example in source.ReadAsync(DatasetInfo.Train, ct))
        {
            all.Add((example.Label, example.InputIds.LongLength));
        }

        Assert.Equal(bertTexts, all.Where((_, i) => kept.Contains(i)));
        Assert.Equal(20, quotas.Sum());

        using var result = await fixture.Runner().RunAsync(Spec("baseline-reviews-b20", budget: 20, seed: 7), new EventRecorder(), ct);
        Assert.True(result.Succeeded, result.Error);
        Assert.InRange(result.Metrics["test.accuracy"], 0.5, 1.0);
    }

    [Fact]
    public void A_baseline_spec_with_a_model_base_or_a_package_is_refused_naming_the_field()
    {
        var withBase = Spec("b") with { Base = ModelBase.MiniLm };
        Assert.Contains("base.kind", Assert.Throws<JobSpecException>(() => withBase.Validate()).Message, StringComparison.Ordinal);
        var withPackage = Spec("b") with { Output = new ModelPackageReference("m", "v") };
        Assert.Contains("output", Assert.Throws<JobSpecException>(() => withPackage.Validate()).Message, StringComparison.Ordinal);
    }
}
