using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Events;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Upload-driven runs: debounce, duplicate events, and uploads already trained on.</summary>
public sealed class SchedulerTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Many_upload_events_within_the_debounce_window_give_one_run_and_replayed_events_give_none()
    {
        await fixture.UploadSpamAsync("burst", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));
        var signal = fixture.Get<UploadSignal>();

        // Twenty events for the same uploads, some of them duplicates, as Event Grid may deliver them.
        var names = Enumerable.Range(0, 20).Select(i => $"labeled/burst/{(i % 2 == 0 ? "ham" : "spam")}/{i % 7}.txt").ToList();
        var ids = await Task.WhenAll(names.Select(n => signal.SignalAsync(n, TestContext.Current.CancellationToken)));
        Assert.All(ids, id => Assert.Equal("retrain-burst", id));
        var first = await Runs.WaitAsync(fixture, "retrain-burst", 180);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        Assert.Single(trainer.BertJobs);

        // The same events again (a replay): the scheduler finds the run of these uploads and starts nothing.
        await signal.SignalAsync(names[0], TestContext.Current.CancellationToken);
        var second = await Runs.WaitAsync(fixture, "retrain-burst", 60);
        Assert.StartsWith("uploads unchanged since run burst-finetune-", second.ReadOutputAs<string>(), StringComparison.Ordinal);
        Assert.Single(trainer.BertJobs);

        // New data: a retrain, which also evaluates the live model on the new test split (champion/challenger).
        await fixture.UploadSpamAsync("burst", perLabel: 2, skip: 10);
        await signal.SignalAsync("labeled/burst/ham/new.txt", TestContext.Current.CancellationToken);
        await Runs.WaitAsync(fixture, "retrain-burst", 180);
        Assert.Equal([JobMode.Classify, JobMode.Classify, JobMode.Evaluate], trainer.BertJobs.Select(j => j.Mode));
    }

    [Fact]
    public async Task A_settings_blob_chooses_the_strategy_of_upload_driven_runs()
    {
        await fixture.UploadSpamAsync("configured", perLabel: 10);
        await fixture.UploadAsync("config/configured.json", """{"strategy": "dapt", "pretraining": {"max_steps": 5}}""");
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        await fixture.Get<UploadSignal>().SignalAsync("config/configured.json", TestContext.Current.CancellationToken);
        await Runs.WaitAsync(fixture, "retrain-configured", 180);

        var jobs = trainer.BertJobs;
        Assert.Equal(2, jobs.Count);
        Assert.Equal(5, jobs[0].Hyperparameters.MaxSteps);
    }

    [Fact]
    public async Task An_uploaders_completion_marker_starts_the_run_at_once_and_is_neither_data_nor_a_new_version()
    {
        await fixture.UploadSpamAsync("marked", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));
        var ct = TestContext.Current.CancellationToken;

        // A scheduler that would wait an hour for quiet uploads: only the marker can start its run within the test.
        var id = RunIds.Scheduler("marked");
        await fixture.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetrainSchedulerOrchestrator), new SchedulerInput("marked", TimeSpan.FromHours(1), fixture.Options.RunSettings), new StartOrchestrationOptions(id), ct);
        await fixture.Client.RaiseEventAsync(id, RunIds.UploadEvent, "labeled/marked/ham/0.txt", ct);
        await fixture.UploadAsync($"labeled/marked/{StorageLayout.UploadComplete}", "");
        await fixture.Get<UploadSignal>().SignalAsync($"labeled/marked/{StorageLayout.UploadComplete}", ct);

        // The run of these uploads starts and completes long before the hour is up.
        var uploads = await fixture.Get<UploadInspector>().InspectAsync("marked", ct);
        var request = new TrainingRunRequest { Dataset = "marked" };
        var runId = RunIds.Run("marked", request.Strategy, uploads.Fingerprint, request.Hash());
        using (var started = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            started.CancelAfter(TimeSpan.FromSeconds(120));
            while (await fixture.Client.GetInstanceAsync(runId, started.Token) is null)
            {
                await Task.Delay(250, started.Token);
            }
        }

        var run = await Runs.WaitAsync(fixture, runId, 180);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);

        // The marker was not read as a document: the 20 emails, nothing quarantined.
        var version = Assert.Single(trainer.BertJobs).Dataset.Version;
        var manifest = DatasetManifest.FromJson((await fixture.Blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer).GetBlobClient(StorageLayout.Manifest("marked", version)).DownloadContentAsync(ct)).Value.Content.ToString());
        Assert.Equal(20, manifest.Inputs.Count);
        Assert.Equal(0, manifest.Quarantine.Items);

        // Saying "done" again, with nothing new, is not new data (the marker is outside the fingerprint): the scheduler,
        // debouncing again after the run, goes at once and finds the uploads trained on.
        await fixture.UploadAsync($"labeled/marked/{StorageLayout.UploadComplete}", "again");
        await fixture.Get<UploadSignal>().SignalAsync($"labeled/marked/{StorageLayout.UploadComplete}", ct);
        var second = await Runs.WaitAsync(fixture, id, 60);
        Assert.StartsWith("uploads unchanged since run marked-finetune-", second.ReadOutputAs<string>(), StringComparison.Ordinal);
        Assert.Single(trainer.BertJobs);
    }

    [Theory]
    [InlineData("labeled/spam/_SUCCESS", true)]
    [InlineData("raw/domain-text/_SUCCESS", true)]
    [InlineData("labeled/spam/ham/_SUCCESS", false)]
    [InlineData("labeled/spam/_SUCCESS.txt", false)]
    [InlineData("config/_SUCCESS", false)]
    public void Only_a_datasets_root_holds_its_completion_marker(string blob, bool marker)
    {
        Assert.Equal(marker, StorageLayout.IsUploadComplete(blob));
        Assert.Equal(StorageLayout.UploadComplete, Ingestion.DocumentReader.CompletionMarker); // what ingestion skips
    }

    [Theory]
    [InlineData("labeled/spam/ham/1.txt", "spam")]
    [InlineData("raw/domain-text/part-0001.txt.gz", "domain-text")]
    [InlineData("config/spam.json", "spam")]
    [InlineData("labeled/spam", null)]
    [InlineData("labeled/Bad_Name/x.txt", null)]
    [InlineData("other/spam/x.txt", null)]
    [InlineData("config/spam.txt", null)]
    public void Uploads_map_to_their_dataset_and_anything_else_is_ignored(string blob, string? dataset) =>
        Assert.Equal(dataset, UploadSignal.DatasetOf(blob));
}
