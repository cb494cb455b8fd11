using Azure.Storage.Queues;
using System.Collections.Concurrent;
using BertFunctions.Orchestration.Events;
using BertFunctions.Training.Contracts;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// Stands in for the trainer worker: takes job messages from the real <c>training-jobs</c> queue and answers with the
/// events a script says, through the real event router (what the Functions queue trigger and the local host run).
/// The script sees the spec and how many times this job id was delivered before.
/// </summary>
public sealed class ScriptedTrainer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public ScriptedTrainer(PipelineFixture fixture, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?> script)
        : this(fixture.Queues, fixture.Get<TrainingEventRouter>(), script)
    {
    }

    public ScriptedTrainer(QueueServiceClient queues, TrainingEventRouter router, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?> script)
    {
        loop = Task.Run(async () =>
        {
            var jobs = queues.GetQueueClient(TrainingQueues.Jobs);
            await jobs.CreateIfNotExistsAsync();
            while (!stop.IsCancellationRequested)
            {
                var message = (await jobs.ReceiveMessageAsync(TimeSpan.FromSeconds(30), stop.Token)).Value;
                if (message is null)
                {
                    await Task.Delay(100, stop.Token);
                    continue;
                }

                var spec = TrainingJobSpec.FromJson(message.Body.ToString());
                await jobs.DeleteMessageAsync(message.MessageId, message.PopReceipt, stop.Token);
                var delivery = Deliveries.AddOrUpdate(spec.JobId, 1, (_, n) => n + 1);
                Received.Enqueue(spec);
                foreach (var e in script(spec, delivery) ?? [])
                {
                    await router.RouteAsync(e.ToJson(), stop.Token);
                }
            }
        });
    }

    /// <summary>Every job received, in order.</summary>
    public ConcurrentQueue<TrainingJobSpec> Received { get; } = new();

    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        stop.Dispose();
    }

    /// <summary>The events of a job that trains for a few steps and completes with the given metrics.</summary>
    public static IEnumerable<TrainingEvent> Succeed(TrainingJobSpec spec, IReadOnlyDictionary<string, double>? metrics = null)
    {
        var now = DateTimeOffset.UtcNow;
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = now, TotalSteps = 10 };
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Progress, At = now, Step = 5, TotalSteps = 10, Loss = 0.5, TokensPerSecond = 1000, EtaSeconds = 5 };
        yield return new TrainingEvent
        {
            JobId = spec.JobId,
            Kind = TrainingEventKind.Completed,
            At = now,
            Step = 10,
            TotalSteps = 10,
            Loss = 0.1,
            Metrics = metrics ?? new Dictionary<string, double> { ["test.accuracy"] = 0.9, ["test.macro_f1"] = 0.88, ["validation.loss"] = 0.3, ["validation.accuracy"] = 0.9, ["validation.macro_f1"] = 0.87 },
            ModelPackage = spec.Output is null ? null : $"models/{spec.Output.Prefix}",
            Cost = new JobCost(Tokens: 1_000, TrainSeconds: 2.5, Device: "cpu (scripted)"),
        };
    }

    public static IEnumerable<TrainingEvent> Fail(TrainingJobSpec spec, string error, bool willRetry = false)
    {
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow, TotalSteps = 10 };
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Failed, At = DateTimeOffset.UtcNow, Step = 3, TotalSteps = 10, Error = error, WillRetry = willRetry };
    }
}
