using Azure.Storage.Queues;
using BertFunctions.Storage;
using BertFunctions.Training.Contracts;
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

    private QueueWorker Worker(ITrainingJobRunner runner, int maxAttempts = 2) => new(
        storage,
        runner,
        Options.Create(new TrainerOptions { IdleTimeout = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(200), VisibilityTimeout = TimeSpan.FromSeconds(30), MaxAttempts = maxAttempts }),
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
