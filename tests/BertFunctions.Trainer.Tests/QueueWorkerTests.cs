using Azure.Storage.Queues;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BertFunctions.Trainer.Tests;

/// <summary>
/// The worker's queue semantics against a real Azurite. The job runner is a stand-in here: these tests are about
/// leases, deletion, retries and dead-lettering, not about training (the training tests cover that).
/// </summary>
public sealed class QueueWorkerTests : IAsyncLifetime
{
    private AzuriteEmulator azurite = null!;
    private StorageClients storage = null!;

    public async ValueTask InitializeAsync()
    {
        azurite = await AzuriteEmulator.StartAsync();
        storage = new StorageClients(azurite.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await azurite.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TrainingJobSpec Spec(string id) => new()
    {
        JobId = id,
        Mode = JobMode.Classify,
        Base = ModelBase.MiniLm,
        Dataset = new DatasetReference("spam", "abc123"),
    };

    private QueueWorker Worker(ITrainingJobRunner runner, int maxAttempts = 2, TimeSpan? cancelPoll = null, TimeSpan? visibility = null) => new(
        storage,
        runner,
        Options.Create(new TrainerOptions { IdleTimeout = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(200), VisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30), MaxAttempts = maxAttempts, CancelPollInterval = cancelPoll ?? TimeSpan.FromSeconds(5) }),
        TimeProvider.System,
        NullLogger<QueueWorker>.Instance);

    private QueueClient Queue(string name) => storage.Queues.GetQueueClient(name);

    private async Task<List<TrainingEvent>> EventsAsync()
    {
        var events = new List<TrainingEvent>();
        foreach (var message in (await Queue(TrainingQueues.Events).ReceiveMessagesAsync(32, cancellationToken: Ct)).Value)
        {
            events.Add(TrainingEvent.FromJson(message.Body.ToString()));
        }

        return events;
    }

    [Fact]
    public async Task A_job_that_succeeds_is_deleted_and_its_events_are_sent_then_the_worker_exits_when_idle()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-1").ToJson(), Ct);
        var runner = new ScriptedRunner(succeed: true);

        var processed = await Worker(runner).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, processed);
        Assert.Equal(["job-1"], runner.Seen);
        Assert.Equal(0, (await Queue(TrainingQueues.Jobs).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        var events = await EventsAsync();
        Assert.Equal([TrainingEventKind.Started, TrainingEventKind.Completed], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task Every_event_of_a_job_carries_the_run_id_of_its_spec_so_the_pipeline_routes_without_parsing_job_ids()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync((Spec("job-r") with { RunId = "spam-finetune-0123456789ab" }).ToJson(), Ct);

        await Worker(new ScriptedRunner(succeed: true)).RunAsync(TestContext.Current.CancellationToken);

        var events = await EventsAsync();
        Assert.Equal([TrainingEventKind.Started, TrainingEventKind.Completed], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("spam-finetune-0123456789ab", e.RunId));
    }

    [Fact]
    public async Task A_message_that_is_not_a_valid_spec_goes_to_the_dead_letter_queue_at_once_with_a_failed_event()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync("{\"job_id\": \"x\", \"mode\": \"classify\", \"learning_rate\": 1}", Ct);
        var runner = new ScriptedRunner(succeed: true);

        await Worker(runner).RunAsync(TestContext.Current.CancellationToken);

        Assert.Empty(runner.Seen);
        var poison = (await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value;
        Assert.Single(poison);
        Assert.Contains("learning_rate", poison[0].Body.ToString(), StringComparison.Ordinal);
        var failed = Assert.Single(await EventsAsync());
        Assert.Equal(TrainingEventKind.Failed, failed.Kind);
        Assert.Contains("job spec is not valid", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_is_retried_then_dead_lettered_and_nothing_is_lost()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-2").ToJson(), Ct);
        var runner = new ScriptedRunner(succeed: false);

        // The failed delivery becomes visible again after a few seconds; the worker waits for it within its idle time.
        var worker = new QueueWorker(
            storage,
            runner,
            Options.Create(new TrainerOptions { IdleTimeout = TimeSpan.FromSeconds(12), PollInterval = TimeSpan.FromMilliseconds(250), VisibilityTimeout = TimeSpan.FromSeconds(30), MaxAttempts = 2 }),
            TimeProvider.System,
            NullLogger<QueueWorker>.Instance);
        await worker.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["job-2", "job-2"], runner.Seen);
        Assert.Equal(0, (await Queue(TrainingQueues.Jobs).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        var poison = Assert.Single((await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
        Assert.Equal("job-2", TrainingJobSpec.FromJson(poison.Body.ToString()).JobId);
    }

    [Fact]
    public async Task A_job_whose_every_delivery_ended_the_process_is_dead_lettered_before_it_runs_again()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-crash").ToJson(), Ct);
        // Two deliveries that never came back (the process died with the job): received, never deleted or updated.
        for (var i = 0; i < 2; i++)
        {
            Assert.NotNull((await Queue(TrainingQueues.Jobs).ReceiveMessageAsync(TimeSpan.FromSeconds(1), Ct)).Value);
            await Task.Delay(1_500, Ct);
        }

        var runner = new ScriptedRunner(succeed: true);
        await Worker(runner, maxAttempts: 2).RunAsync(Ct);

        Assert.Empty(runner.Seen); // a third run would have ended the same way
        var poison = Assert.Single((await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
        Assert.Equal("job-crash", TrainingJobSpec.FromJson(poison.Body.ToString()).JobId);
        var failed = Assert.Single(await EventsAsync());
        Assert.Equal((TrainingEventKind.Failed, false), (failed.Kind, failed.WillRetry));
        Assert.Contains("ended the trainer's process in each of its 2 deliveries", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_request_stops_the_job_at_its_next_step_and_removes_it_for_good()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-cancel").ToJson(), Ct);
        var runner = new SteppingRunner();
        var worker = Worker(runner, cancelPoll: TimeSpan.FromMilliseconds(200));

        var running = worker.RunAsync(Ct);
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var checkpoints = storage.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        await checkpoints.CreateIfNotExistsAsync(cancellationToken: Ct);
        await checkpoints.GetBlobClient(StorageLayout.CancelRequest("job-cancel")).UploadAsync(BinaryData.FromString("{}"), Ct);
        await running;

        Assert.True(runner.Stopped, "the job saw its token cancelled");
        Assert.Equal(0, (await Queue(TrainingQueues.Jobs).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Empty((await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
        var last = (await EventsAsync())[^1];
        Assert.Equal((TrainingEventKind.Failed, false, "cancelled on request"), (last.Kind, last.WillRetry, last.Error));
    }

    [Fact]
    public async Task A_job_whose_message_lease_is_lost_stops_and_leaves_the_queue_alone()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-lease").ToJson(), Ct);
        var runner = new SteppingRunner();
        // Renewals every second; the message vanishes under the worker (as when another worker took and finished it).
        var worker = Worker(runner, visibility: TimeSpan.FromSeconds(3));

        var running = worker.RunAsync(Ct);
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Queue(TrainingQueues.Jobs).ClearMessagesAsync(Ct);
        await running.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(runner.Stopped, "the job stopped when its next renewal was refused");
        Assert.Empty((await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
        Assert.DoesNotContain(await EventsAsync(), e => e.Kind is TrainingEventKind.Completed or TrainingEventKind.Failed);
    }

    [Fact]
    public async Task A_second_message_for_a_job_another_worker_is_training_is_dropped_not_trained_twice()
    {
        await Queue(TrainingQueues.Jobs).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Queue(TrainingQueues.Jobs).SendMessageAsync(Spec("job-twice").ToJson(), Ct);
        // Another worker holds the job's lease, as while it trains.
        var checkpoints = storage.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        await checkpoints.CreateIfNotExistsAsync(cancellationToken: Ct);
        var lease = checkpoints.GetBlobClient(StorageLayout.WorkerLease("job-twice"));
        await lease.UploadAsync(BinaryData.Empty, Ct);
        await Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlobLeaseClient(lease).AcquireAsync(TimeSpan.FromSeconds(60), cancellationToken: Ct);
        var runner = new ScriptedRunner(succeed: true);

        await Worker(runner).RunAsync(Ct);

        Assert.Empty(runner.Seen);
        Assert.Equal(0, (await Queue(TrainingQueues.Jobs).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Empty((await Queue(TrainingQueues.DeadLetter).ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
    }

    /// <summary>A job that steps until its token is cancelled, as the real loop checks its token between steps.</summary>
    private sealed class SteppingRunner : ITrainingJobRunner
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Stopped { get; private set; }

        public async Task<bool> RunAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
        {
            events.Report(new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow });
            Started.TrySetResult();
            try
            {
                while (true)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                Stopped = true;
                throw;
            }
        }
    }

    /// <summary>Reports Started then Completed or Failed, as the real runner does, and records the jobs it saw.</summary>
    private sealed class ScriptedRunner(bool succeed) : ITrainingJobRunner
    {
        public List<string> Seen { get; } = [];

        public Task<bool> RunAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
        {
            Seen.Add(spec.JobId);
            events.Report(new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow });
            events.Report(new TrainingEvent
            {
                JobId = spec.JobId,
                Kind = succeed ? TrainingEventKind.Completed : TrainingEventKind.Failed,
                At = DateTimeOffset.UtcNow,
                Error = succeed ? null : "scripted failure",
            });
            return Task.FromResult(succeed);
        }
    }
}
