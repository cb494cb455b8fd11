using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The singleton per dataset (instance <c>retrain-{dataset}</c>) that turns uploads into runs. It waits until uploads
/// have been quiet for the debounce window (every upload restarts the wait, so a thousand files give one run), or until
/// an uploader writes its completion marker (<see cref="StorageLayout.UploadComplete"/>: no need to wait), then
/// starts the run for the uploads as they are; the run id derives from their fingerprint, so uploads already trained
/// on start nothing. Runs of a dataset never overlap: uploads that arrive during a run stay queued as events and are
/// taken up, debounced again, when it ends (continue-as-new keeps them).
/// </summary>
public sealed class RetrainSchedulerOrchestrator : TaskOrchestrator<SchedulerInput, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, SchedulerInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        context.SetCustomStatus(new RunStatus { Phase = "debouncing uploads", Message = $"waiting until uploads are quiet for {input.Debounce}, or for an uploader's {StorageLayout.UploadComplete}" });
        while (true)
        {
            using var stop = new CancellationTokenSource();
            var upload = context.WaitForExternalEvent<string>(RunIds.UploadEvent, stop.Token);
            var quiet = context.CreateTimer(context.CurrentUtcDateTime.Add(input.Debounce), stop.Token);
            var first = await Task.WhenAny(upload, quiet);
#pragma warning disable CA1849 // synchronous on purpose: orchestrator code stays on the orchestration's thread
            stop.Cancel();
#pragma warning restore CA1849
            if (first == quiet || StorageLayout.IsUploadComplete(upload.Result))
            {
                break;
            }
        }

        var uploads = await context.CallActivityAsync<UploadsSummary>(nameof(InspectUploadsActivity), input.Dataset, Retries.Storage);
        if (uploads.LabeledFiles == 0)
        {
            return "no labeled uploads yet: nothing to train";
        }

        TrainingRunRequest request;
        try
        {
            request = UploadInspector.RequestFor(input.Dataset, uploads);
        }
        catch (RunRequestException e)
        {
            return "settings refused: " + e.Message;
        }

        var runId = RunIds.Run(input.Dataset, request.Strategy, uploads.Fingerprint, request.Hash());
        var existing = await context.CallActivityAsync<RunRecord?>(nameof(ReadRunRecordActivity), runId, Retries.Storage);
        if (existing is not null)
        {
            // Trained on already, or in progress (a running record after a host restart is resumed by the host).
            return $"uploads unchanged since run {runId} ({existing.State})";
        }

        context.SetCustomStatus(new RunStatus { Phase = "running", Job = runId, Message = $"run {runId} started for the uploads" });
        string result;
        try
        {
            var outcome = await context.CallSubOrchestratorAsync<RunOutcome>(nameof(TrainingRunOrchestrator), new TrainingRunInput(request, input.Settings), new SubOrchestrationOptions(new TaskOptions(), runId));
            result = $"run {runId}: {outcome.Reason}";
        }
        catch (TaskFailedException e)
        {
            result = $"run {runId} failed: {e.FailureDetails.ErrorMessage}";
        }

        // Uploads that arrived meanwhile are still queued: debounce them in a fresh history.
        context.ContinueAsNew(input, preserveUnprocessedEvents: true);
        return result;
    }
}
