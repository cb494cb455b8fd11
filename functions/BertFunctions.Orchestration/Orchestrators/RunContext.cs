using System.Globalization;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// A run's orchestration context plus what every stage needs: the settings, the pending cancel event and the custom
/// status. <see cref="RunJobAsync"/> is the dispatch-and-wait loop every trainer job goes through.
/// </summary>
internal sealed class RunContext(TaskOrchestrationContext context, RunSettings settings, Task<string> cancel)
{
    public TaskOrchestrationContext Context => context;

    /// <summary>The note on the run's imbalanced labels, once found: every later status carries it, so it stays in view while the run goes.</summary>
    public string? Imbalance { get; set; }

    public void Report(RunStatus status) => context.SetCustomStatus(Imbalance is null ? status : status with { Imbalance = Imbalance });

    /// <summary>The validation every run and experiment starts with: the dataset's uploads, which must include labeled data.</summary>
    public async Task<UploadsSummary> InspectLabeledUploadsAsync(string dataset)
    {
        Report(new RunStatus { Phase = RunPhases.Validating, Percent = 1 });
        var uploads = await context.CallActivityAsync<UploadsSummary>(nameof(InspectUploadsActivity), dataset, Retries.Storage);
        return uploads.LabeledFiles > 0
            ? uploads
            : throw new RunFailedException($"dataset '{dataset}' has no labeled uploads under uploads/labeled/{dataset}/");
    }

    /// <summary>Ingests <paramref name="request"/> as a sub-orchestration with a fixed instance id (so a repeated request reuses its work).</summary>
    public Task<IngestedDataset> IngestAsync(IngestionRequest request, string instanceId) =>
        context.CallSubOrchestratorAsync<IngestedDataset>(nameof(IngestDatasetOrchestrator), request, new SubOrchestrationOptions(Retries.Storage, instanceId));

    /// <summary>
    /// Sends the job to the trainer and follows its events until it completes (returns the completed event), the run
    /// is cancelled (returns null) or it has failed <see cref="RunSettings.MaxTrainerAttempts"/> times (throws). A job
    /// that fails, is not picked up within the queue timeout, or goes silent for the inactivity timeout once started, is
    /// dispatched again with the same id: the trainer then resumes from its latest checkpoint. Progress goes into the custom status, mapped onto [from, to] percent.
    /// </summary>
    public async Task<TrainingEvent?> RunJobAsync(TrainingJobSpec spec, string phase, double from, double to)
    {
        // The trainer copies the run id into every event; the event router raises them on this instance.
        spec = spec with { RunId = context.InstanceId };
        var specJson = spec.ToJson();
        for (var attempt = 1; ; attempt++)
        {
            await context.CallActivityAsync<bool>(nameof(DispatchTrainingJobActivity), new DispatchInput(context.InstanceId, spec.JobId, specJson, attempt), Retries.Storage);
            Report(new RunStatus { Phase = phase, Percent = from, Job = spec.JobId, Attempt = attempt, Message = attempt == 1 ? "queued for the trainer" : "queued again: resumes from the latest checkpoint" });
            string failure;
            var started = false; // until the first event, the job waits in the queue
            while (true)
            {
                using var stop = new CancellationTokenSource();
                var next = context.WaitForExternalEvent<TrainingEvent>(RunIds.JobEvent(spec.JobId), stop.Token);
                var limit = started ? settings.JobInactivityTimeout : settings.JobQueueTimeout;
                var quiet = context.CreateTimer(context.CurrentUtcDateTime.Add(limit), stop.Token);
                var first = await Task.WhenAny(next, quiet, cancel);
                // Drop the losers, so that neither the timer nor the event wait stays pending. Synchronous on purpose:
                // orchestrator code must not hand work to other threads.
#pragma warning disable CA1849
                stop.Cancel();
#pragma warning restore CA1849
                if (first == cancel)
                {
                    // Tell the trainer too: it stops at its next step instead of training for a run that is gone.
                    await context.CallActivityAsync<bool>(nameof(RequestJobCancelActivity), spec.JobId, Retries.Storage);
                    return null;
                }

                if (first == quiet)
                {
                    failure = started
                        ? string.Create(CultureInfo.InvariantCulture, $"no event from the trainer for {limit}")
                        : string.Create(CultureInfo.InvariantCulture, $"no trainer picked the job up within {limit}");
                    break;
                }

                var e = await next;
                started = true;
                if (e.Kind == TrainingEventKind.Completed)
                {
                    Report(new RunStatus { Phase = phase, Percent = to, Job = spec.JobId, Step = e.Step, TotalSteps = e.TotalSteps, Loss = e.Loss, Precision = e.Precision, Attempt = attempt, Metrics = e.Metrics, Message = "job completed" });
                    return e;
                }

                if (e.Kind == TrainingEventKind.Failed && !e.WillRetry)
                {
                    failure = e.Error ?? "the trainer reported a failure without a reason";
                    break;
                }

                var percent = e.TotalSteps > 0 ? from + ((to - from) * Math.Clamp((double)e.Step / e.TotalSteps, 0, 1)) : from;
                Report(new RunStatus
                {
                    Phase = phase,
                    Percent = Math.Round(percent, 1),
                    Job = spec.JobId,
                    Step = e.Step,
                    TotalSteps = e.TotalSteps,
                    Loss = e.Loss,
                    TokensPerSecond = e.TokensPerSecond,
                    Precision = e.Precision,
                    EtaSeconds = e.EtaSeconds,
                    Attempt = attempt,
                    Metrics = e.Metrics,
                    Message = e.Kind == TrainingEventKind.Failed ? $"attempt failed, the trainer retries from its checkpoint: {e.Error}" : e.Kind.ToString().ToLowerInvariant(),
                });
            }

            if (attempt >= settings.MaxTrainerAttempts)
            {
                throw new RunFailedException($"trainer job {spec.JobId} failed {attempt} times; last: {failure}");
            }

            Report(new RunStatus { Phase = phase, Percent = from, Job = spec.JobId, Attempt = attempt, Message = $"attempt {attempt} failed ({failure}); dispatching again" });
        }
    }
}
