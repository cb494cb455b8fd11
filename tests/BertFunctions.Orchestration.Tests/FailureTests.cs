using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Trainer failures, lost trainers and cancellation.</summary>
public sealed class FailureTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task A_failed_trainer_job_is_dispatched_again_with_the_same_id_and_the_run_completes()
    {
        await fixture.UploadSpamAsync("retry", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, delivery) => delivery switch
        {
            // First delivery: the worker's own retry (will_retry) is waited out, then it gives up.
            1 => ScriptedTrainer.Fail(spec, "transient: node preempted", willRetry: true).Concat(ScriptedTrainer.Fail(spec, "CUDA error: device lost")),
            _ => ScriptedTrainer.Succeed(spec),
        });

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "retry" });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var jobs = trainer.BertJobs;
        Assert.Equal(2, jobs.Count);
        Assert.Equal(jobs[0].JobId, jobs[1].JobId); // same id: the trainer resumes from the job's latest checkpoint
        var markers = await ListAsync(StorageLayout.RunsContainer, $"{id}/jobs/{jobs[0].JobId}-");
        Assert.Equal(2, markers.Count);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_fails_the_run_with_the_trainers_reason_and_records_it()
    {
        await fixture.UploadSpamAsync("broken", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Fail(spec, "loss is NaN at step 3; the last good checkpoint is kept"));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "broken" });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Contains("loss is NaN", run.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains($"failed {fixture.Options.MaxTrainerAttempts} times", run.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        var record = await Runs.RecordAsync(fixture, id);
        Assert.Equal(RunStates.Failed, record!.State);
        Assert.Contains("loss is NaN", record.Error, StringComparison.Ordinal);
        Assert.Equal(fixture.Options.MaxTrainerAttempts, trainer.BertJobs.Count);
    }

    [Fact]
    public async Task A_trainer_that_goes_silent_after_starting_times_out_on_the_durable_timer()
    {
        await fixture.UploadSpamAsync("silent", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => [new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow, TotalSteps = 100 }]);

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "silent" }, new RunSettings { JobInactivityTimeout = TimeSpan.FromSeconds(3), MaxTrainerAttempts = 1 });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Contains("no event from the trainer for 00:00:03", run.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_no_trainer_picks_up_times_out_on_the_queue_timeout_not_the_inactivity_timeout()
    {
        await fixture.UploadSpamAsync("unclaimed", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (_, _) => null); // receives the job, never starts it

        // Waiting in the queue is not being lost: the 1 s inactivity timeout does not apply before the first event.
        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "unclaimed" }, new RunSettings { JobInactivityTimeout = TimeSpan.FromSeconds(1), JobQueueTimeout = TimeSpan.FromSeconds(6), MaxTrainerAttempts = 1 });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Contains("no trainer picked the job up within 00:00:06", run.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_stops_the_run_while_the_trainer_is_busy_and_records_it_as_cancelled()
    {
        await fixture.UploadSpamAsync("cancel", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => [new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow, TotalSteps = 100 }]);

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "cancel" });
        while (trainer.BertJobs.Count == 0)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await fixture.Client.RaiseEventAsync(id, RunIds.CancelEvent, "requested", TestContext.Current.CancellationToken);
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(RunStates.Cancelled, run.ReadOutputAs<RunOutcome>()!.State);
        Assert.Equal(RunStates.Cancelled, (await Runs.RecordAsync(fixture, id))!.State);
        Assert.Null(await Runs.LiveAsync(fixture, "cancel"));
        // The cancel reaches the trainer: the request it looks for while the job trains (QueueWorkerTests: it stops).
        var job = Assert.Single(trainer.BertJobs).JobId;
        Assert.True(await fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer).GetBlobClient(StorageLayout.CancelRequest(job)).ExistsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_dataset_without_labeled_uploads_fails_validation_with_a_clear_reason()
    {
        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "nothing-here" });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Equal("dataset 'nothing-here' has no labeled uploads under uploads/labeled/nothing-here/", run.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task Data_that_cannot_be_ingested_fails_the_run_at_once_with_the_ingestion_reason()
    {
        // One label only: classification needs two. Deterministic, so it is not retried.
        await fixture.UploadAsync("labeled/one-label/ham/a.txt", "first document");
        await fixture.UploadAsync("labeled/one-label/ham/b.txt", "second document");

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "one-label" });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Contains("has a single label ('ham')", run.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_too_small_for_every_split_fails_the_run_at_ingestion_naming_it_before_any_job()
    {
        await fixture.UploadSpamAsync("uneven", perLabel: 10);
        await fixture.UploadAsync("labeled/uneven/phishing/a.txt", "Your account is locked: confirm your password at this link.");
        await fixture.UploadAsync("labeled/uneven/phishing/b.txt", "Unusual sign-in detected; verify your bank details today.");

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "uneven" });
        var run = await Runs.WaitAsync(fixture, id);

        const string Reason = "dataset 'uneven': label 'phishing' has 2 documents, after duplicates are removed; each label needs at least 3 (so that train, validation and test each get one): add examples, or merge or drop the label";
        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Equal(Reason, run.FailureDetails!.ErrorMessage);
        Assert.Equal("failed: " + Reason, run.ReadCustomStatusAs<RunStatus>()!.Message); // what GET /api/training/{id} shows
        var record = await Runs.RecordAsync(fixture, id);
        Assert.Equal((RunStates.Failed, Reason), (record!.State, record.Error));
        Assert.Empty(await ListAsync(StorageLayout.RunsContainer, $"{id}/jobs/")); // no trainer job was dispatched
    }

    private async Task<List<string>> ListAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in fixture.Blobs.GetBlobContainerClient(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, TestContext.Current.CancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
