using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Training.Checkpoints;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Training.Tests;

public sealed class TrainingRunTests(TrainingFixture fixture)
{
    private static Hyperparameters Fast(long steps, long checkpointEvery = 1000, long evalEvery = 1000) => new()
    {
        LearningRate = 2e-3,
        BatchSize = 16,
        MaxSteps = steps,
        WarmupRatio = 0.1,
        EvalEverySteps = evalEvery,
        CheckpointEverySteps = checkpointEvery,
        KeepCheckpoints = 3,
        Threads = 2,
        Device = "cpu",
    };

    [Fact]
    public async Task Mlm_from_random_init_on_Brown_lowers_the_loss_and_writes_metrics_beside_the_final_checkpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(fixture.MlmSpec("mlm-brown", Fast(150, evalEvery: 50) with { LearningRate = 5e-3 }), events, ct);

        Assert.True(result.Succeeded, result.Error);
        var first = result.LossCurve.Take(5).Average(p => p.Loss);
        var last = result.LossCurve.TakeLast(5).Average(p => p.Loss);
        Figures.Report($"MLM loss first5 {first:F3} last5 {last:F3}; validation perplexity {result.Metrics["validation.perplexity"]:F1}, masked accuracy {result.Metrics["validation.masked_accuracy"]:F3}; tiny model {events.Events.Where(e => e.Kind == TrainingEventKind.Progress).Skip(1).Average(e => e.TokensPerSecond ?? 0):F0} tokens/s");
        Assert.True(last < first - 0.5, $"loss went from {first} to {last}");
        Assert.Equal(Math.Exp(result.Metrics["validation.loss"]), result.Metrics["validation.perplexity"], 6);
        Assert.Contains("test.masked_accuracy", result.Metrics.Keys);

        Assert.Equal(TrainingEventKind.Started, events.Events[0].Kind);
        Assert.Contains(events.Events, e => e.Kind == TrainingEventKind.Progress && e.TokensPerSecond > 0 && e.LearningRate > 0);
        Assert.Contains(events.Events, e => e.Kind == TrainingEventKind.Evaluation && e.Metrics!.ContainsKey("validation.perplexity"));
        var completed = Assert.Single(events.Events, e => e.Kind == TrainingEventKind.Completed);
        Assert.Equal($"{StorageLayout.CheckpointsContainer}/mlm-brown/step-00000150/", completed.Checkpoint);
        var blobs = await fixture.CheckpointBlobsAsync("mlm-brown/step-00000150/");
        foreach (var file in (string[])[CheckpointFiles.Model, CheckpointFiles.TrainerState, CheckpointFiles.Spec, CheckpointFiles.Config, CheckpointFiles.Vocabulary, CheckpointFiles.Metrics, CheckpointFiles.Curve, CheckpointFiles.Manifest])
        {
            Assert.Contains("mlm-brown/step-00000150/" + file, blobs);
        }

        // A finished job's checkpoint is its result, not a point to train on from: no AdamW moments (2x the weights).
        Assert.DoesNotContain("mlm-brown/step-00000150/" + CheckpointFiles.Optimizer, blobs);
        Assert.DoesNotContain("mlm-brown/step-00000150/" + CheckpointFiles.OptimizerIndex, blobs);

        Assert.True(new FileInfo(result.CurveImage!).Length > 5000);
        Assert.Contains("\"validation.perplexity\"", await File.ReadAllTextAsync(result.MetricsFile!, ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classifier_fine_tune_of_a_tiny_model_reaches_high_accuracy()
    {
        var ct = TestContext.Current.CancellationToken;
        var spec = new TrainingJobSpec
        {
            JobId = "reviews-tiny",
            Mode = JobMode.Classify,
            Base = ModelBase.None,
            Config = TrainingFixture.TinyConfig,
            Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
            Hyperparameters = Fast(90, evalEvery: 30) with { LearningRate = 3e-3, ClassWeights = true, EarlyStoppingPatience = 5, EarlyStoppingMetric = "macro_f1" },
        };
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(spec, events, ct);

        Assert.True(result.Succeeded, result.Error);
        Figures.Report($"classifier loss {result.LossCurve[0].Loss:F3} -> {result.LossCurve[^1].Loss:F3}; validation accuracy {result.Metrics["validation.accuracy"]:F3}, test macro-F1 {result.Metrics["test.macro_f1"]:F3}, test ROC-AUC {result.Metrics["test.roc_auc"]:F3}");
        Assert.True(result.Metrics["validation.accuracy"] >= 0.9, $"validation accuracy {result.Metrics["validation.accuracy"]}");
        Assert.True(result.Metrics["test.macro_f1"] >= 0.9, $"test macro-F1 {result.Metrics["test.macro_f1"]}");
        Assert.Equal(["negative", "positive"], result.Labels);
        Assert.Equal("positive", result.Config!.Id2Label!["1"]);

        // metrics.json holds every test example's label and prediction in the split's stored order (what a paired
        // comparison of two models lines up): the accuracy recomputed from them is the reported one, and the labels are
        // the split's own, read here from the dataset in its order.
        using var metrics = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(result.MetricsFile!, ct));
        var test = metrics.RootElement.GetProperty("splits").GetProperty("test").GetProperty("classification");
        var labels = test.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var predictions = test.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var source = await Data.BlobExampleSource.OpenAsync(fixture.Blobs, new DatasetReference("reviews", fixture.ReviewsVersion), ct);
        var stored = new List<int>();
        await foreach (var example in source.ReadAsync(Data.DatasetInfo.Test, ct))
        {
            stored.Add(example.Label);
        }

        Assert.Equal(stored, labels);
        Assert.Equal(result.Metrics["test.accuracy"], labels.Zip(predictions).Count(p => p.First == p.Second) / (double)labels.Count, 12);
        Assert.NotNull(result.Model);
    }

    [Fact]
    public async Task The_same_spec_twice_gives_identical_loss_curves()
    {
        var ct = TestContext.Current.CancellationToken;
        var spec = fixture.MlmSpec("determinism", Fast(12) with { DynamicMasking = true, GradientAccumulationSteps = 2 });
        using var first = await fixture.Runner().RunAsync(spec, new EventRecorder(), ct);
        await DeleteCheckpointsAsync("determinism/"); // otherwise the second run would resume from the first's final checkpoint
        using var second = await fixture.Runner().RunAsync(spec, new EventRecorder(), ct);

        Assert.True(first.Succeeded && second.Succeeded, first.Error ?? second.Error);
        Assert.Equal(12, first.LossCurve.Count);
        var maxDiff = first.LossCurve.Zip(second.LossCurve).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
        Figures.Report($"determinism: max |loss diff| {maxDiff:E2} over 12 steps");
        Assert.True(maxDiff <= 1e-6, $"max diff {maxDiff}");
    }

    [Fact]
    public async Task A_run_resumed_after_a_crash_follows_the_uninterrupted_loss_curve()
    {
        var ct = TestContext.Current.CancellationToken;
        var hp = Fast(12, checkpointEvery: 5) with { GradientAccumulationSteps = 2 };
        using var straight = await fixture.Runner().RunAsync(fixture.MlmSpec("straight", hp), new EventRecorder(), ct);

        // "Crash" right after the checkpoint of step 5: the token is cancelled from inside the checkpoint event.
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var spec = fixture.MlmSpec("crashing", hp);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Runner().RunAsync(spec, new EventRecorder(e =>
        {
            if (e.Kind == TrainingEventKind.Checkpoint)
            {
                crash.Cancel();
            }
        }), crash.Token));

        var events = new EventRecorder();
        using var resumed = await fixture.Runner().RunAsync(spec, events, ct);

        Assert.True(straight.Succeeded && resumed.Succeeded, straight.Error ?? resumed.Error);
        Assert.Equal($"{StorageLayout.CheckpointsContainer}/crashing/step-00000005/", events.Events[0].Checkpoint);
        Assert.Equal(5, events.Events.First(e => e.Kind == TrainingEventKind.Progress).Step - 1);
        var maxDiff = straight.LossCurve.Zip(resumed.LossCurve).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
        Figures.Report($"resume: straight {straight.LossCurve[0].Loss:F4} -> {straight.LossCurve[^1].Loss:F4}; max |diff| after resume {maxDiff:E2}");
        Assert.Equal(12, resumed.LossCurve.Count);
        Assert.True(maxDiff <= 1e-5, $"max diff {maxDiff}");
        Assert.Equal(straight.Metrics["validation.loss"], resumed.Metrics["validation.loss"], 5);
    }

    [Fact]
    public async Task A_finished_job_delivered_again_reports_its_recorded_result_without_training_or_evaluating_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var spec = fixture.MlmSpec("finished-twice", Fast(6, checkpointEvery: 3));
        var firstEvents = new EventRecorder();
        using var first = await fixture.Runner().RunAsync(spec, firstEvents, ct);
        Assert.True(first.Succeeded, first.Error);

        // A redelivered queue message (or a re-dispatch by an orchestration that timed out) for the same job.
        var events = new EventRecorder();
        using var again = await fixture.Runner().RunAsync(spec, events, ct);

        Assert.True(again.Succeeded, again.Error);
        Assert.Equal([TrainingEventKind.Started, TrainingEventKind.Completed], events.Events.Select(e => e.Kind)); // no steps, no evaluation, no new checkpoint
        var (before, after) = (firstEvents.Events.Single(e => e.Kind == TrainingEventKind.Completed), events.Events[^1]);
        Assert.Equal(before.Metrics!.OrderBy(m => m.Key), after.Metrics!.OrderBy(m => m.Key));
        Assert.Equal((before.Step, before.Checkpoint, before.Cost), (after.Step, after.Checkpoint, after.Cost));
        Assert.True(after.Cost!.Tokens > 0, "the recorded cost is reported");
    }

    [Fact]
    public async Task A_corrupt_latest_checkpoint_is_detected_and_the_previous_one_used()
    {
        var ct = TestContext.Current.CancellationToken;
        using var run = await fixture.Runner().RunAsync(fixture.MlmSpec("corrupt", Fast(8, checkpointEvery: 4)), new EventRecorder(), ct);
        Assert.True(run.Succeeded, run.Error);
        var container = fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        await container.GetBlobClient("corrupt/step-00000008/model.safetensors").UploadAsync(BinaryData.FromString("not the weights"), overwrite: true, ct);

        var logs = new CapturingLoggerFactory();
        var store = new BlobCheckpointStore(fixture.Blobs, logs.CreateLogger<BlobCheckpointStore>());
        var folder = Path.Combine(Path.GetTempPath(), "bertfn-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var restored = await store.RestoreLatestAsync("corrupt", folder, ct);
            Assert.Equal(4, restored!.Step);
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("step-00000008", StringComparison.Ordinal) && l.Message.Contains("corrupt", StringComparison.Ordinal));

            // A checkpoint whose manifest is missing (an interrupted write) is skipped the same way.
            await container.GetBlobClient("corrupt/step-00000004/manifest.json").DeleteAsync(cancellationToken: ct);
            Assert.Null(await store.RestoreLatestAsync("corrupt", folder, ct));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_nan_loss_fails_the_job_and_keeps_the_last_good_checkpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var events = new EventRecorder();
        var runner = fixture.Runner(options: new TrainingRunnerOptions { ProgressInterval = TimeSpan.Zero, InjectNonFiniteLoss = step => step == 6 });
        using var result = await runner.RunAsync(fixture.MlmSpec("nan-loss", Fast(10, checkpointEvery: 4)), events, ct);

        Assert.False(result.Succeeded);
        var failed = Assert.Single(events.Events, e => e.Kind == TrainingEventKind.Failed);
        Assert.Contains("training loss is NaN at step 6", failed.Error, StringComparison.Ordinal);
        Assert.Contains("checkpoints/nan-loss/step-00000004/", failed.Error, StringComparison.Ordinal);
        var latest = (await fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer).GetBlobClient("nan-loss/latest.json").DownloadContentAsync(ct)).Value.Content.ToString();
        Assert.Contains("step-00000004", latest, StringComparison.Ordinal);
    }

    private async Task DeleteCheckpointsAsync(string prefix)
    {
        var container = fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        foreach (var name in await fixture.CheckpointBlobsAsync(prefix))
        {
            await container.GetBlobClient(name).DeleteAsync();
        }
    }
}
