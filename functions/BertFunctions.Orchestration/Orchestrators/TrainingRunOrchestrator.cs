using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// One training run, start to finish: validate, ingest (fan-out per dataset and per work unit), train (finetune: one
/// classify job; dapt: MLM from the pretrained model, then classify from its checkpoint; scratch: domain vocabulary,
/// MLM from random initialisation, then classify; each with the TF-IDF baseline fitted on the same splits, and
/// class-weighted when the labels are imbalanced), evaluate the live model on the same test split, promote the
/// candidate only if it beats it, and record the run. Deterministic: all I/O is in activities and in the trainer,
/// which reports through external events.
/// </summary>
public sealed class TrainingRunOrchestrator : TaskOrchestrator<TrainingRunInput, RunOutcome>
{
    public override async Task<RunOutcome> RunAsync(TaskOrchestrationContext context, TrainingRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        var run = new RunContext(context, input.Settings, context.WaitForExternalEvent<string>(RunIds.CancelEvent));
        var record = new RunRecord { Id = context.InstanceId, Request = request, State = RunStates.Running, StartedAt = context.CurrentUtcDateTime };
        await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record, Retries.Storage);
        try
        {
            var outcome = await TrainAsync(run, request);
            await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record with { State = outcome.State, EndedAt = context.CurrentUtcDateTime, Outcome = outcome }, Retries.Storage);
            run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Metrics = outcome.Metrics, Message = outcome.Reason });
            return outcome;
        }
        catch (Exception e) when (e is TaskFailedException or RunFailedException)
        {
            var reason = Reason(e);
            await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record with { State = RunStates.Failed, EndedAt = context.CurrentUtcDateTime, Error = reason }, Retries.Storage);
            run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Message = "failed: " + reason });
            throw new RunFailedException(reason);
        }
    }

    private static async Task<RunOutcome> TrainAsync(RunContext run, TrainingRunRequest request)
    {
        var context = run.Context;
        var id = context.InstanceId;
        var pretrains = RunJobPlanner.Pretrains(request.Strategy);

        // Validate: the request was checked by the starter; here, what is in storage.
        var uploads = await run.InspectLabeledUploadsAsync(request.Dataset);

        // Domain text: uploads/raw/{dataset}/ when there is any, else the labeled uploads read as plain text.
        var textFromLabeled = uploads.RawFiles == 0;
        var vocabulary = IngestionRequest.BundledVocabulary;
        if (request.Strategy == TrainingStrategy.Scratch)
        {
            run.Report(new RunStatus { Phase = RunPhases.Vocabulary, Percent = 3 });
            vocabulary = await context.CallActivityAsync<string>(nameof(TrainVocabularyActivity), new VocabularyInput(request.Dataset, textFromLabeled, request.VocabularySize, LowerCase: true, IngestionRequests.Text(request, IngestionRequest.BundledVocabulary, textFromLabeled).Reading), Retries.Storage);
        }

        run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 5 });
        var labeledTask = run.IngestAsync(IngestionRequests.Labeled(request, vocabulary), $"{id}-labeled");
        var textTask = pretrains ? run.IngestAsync(IngestionRequests.Text(request, vocabulary, RunJobPlanner.TextFromLabeled(request.Strategy, textFromLabeled)), $"{id}-text") : null;
        var labeled = await labeledTask;
        var text = textTask is null ? null : await textTask;
        var versions = new Dictionary<string, string> { ["labeled"] = labeled.Version };
        if (text is not null)
        {
            versions["text"] = text.Version;
        }

        // Imbalanced labels: the run says so, and fine-tunes class-weighted by default (ImbalancePolicy).
        var imbalance = ImbalancePolicy.Assess(labeled.TrainLabelCounts, request.FineTuning?.ClassWeights);
        if (imbalance is not null)
        {
            run.Imbalance = imbalance.Note;
            TrainingRunLog.Imbalanced(context.CreateReplaySafeLogger<TrainingRunOrchestrator>(), id, imbalance.Note);
            run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 10, Message = imbalance.Note });
        }

        // Train.
        var baseModel = BaseModelReference.Parse(request.BaseModel);
        var mlm = text is null ? null : RunJobPlanner.Pretraining(id, request, text, baseModel);
        if (mlm is not null && await run.RunJobAsync(mlm, RunPhases.Pretraining, 15, 55) is null)
        {
            return Cancelled(versions);
        }

        var classify = RunJobPlanner.Classify(id, request, labeled, RunJobPlanner.FineTuningBase(baseModel, mlm), imbalance);
        var fineTuningFrom = pretrains ? 55 : 15;

        // The TF-IDF baseline, on the fine-tune's splits, just before it and not beside it. It takes seconds, so in
        // sequence it costs seconds of wall time, and the trainer worker that fits it (warm from the MLM job, or started
        // for it) takes the fine-tune straight after; dispatched beside the fine-tune it could make the trainer scale out
        // to a second GPU execution (one per queued job) for a job that needs no GPU, and the two jobs' progress would
        // interleave in the status. Before rather than after: it needs nothing from the fine-tune, and once the fine-tune
        // ends everything the gate decides on (require_beat_baseline) is there.
        RunBaseline? baseline = null;
        if (request.FitsBaseline)
        {
            baseline = await FitBaselineAsync(run, RunJobPlanner.Baseline(id, classify), fineTuningFrom - 2, fineTuningFrom);
            if (baseline is null)
            {
                return Cancelled(versions);
            }
        }

        var done = await run.RunJobAsync(classify, RunPhases.FineTuning, fineTuningFrom, 92);
        if (done is null)
        {
            return Cancelled(versions);
        }

        var candidate = done.Metrics ?? new Dictionary<string, double>();
        var classReports = await context.CallActivityAsync<Dictionary<string, ClassReport>?>(nameof(ReadClassReportsActivity), new ClassReportSource(done.ModelPackage, done.Checkpoint), Retries.Storage);

        // Champion/challenger on the same held-out validation split (test is reported, not decided on).
        run.Report(new RunStatus { Phase = RunPhases.Evaluating, Percent = 93, Metrics = candidate });
        var offered = new PromotionCandidate(id, classify.Output!.Prefix, candidate, labeled.Version, vocabulary)
        {
            MustBeatBaseline = request.RequireBeatBaseline ? baseline?.Metrics ?? new Dictionary<string, double>() : null,
        };
        var gate = await ChampionGate.OfferAsync(run, request, labeled, vocabulary, offered, request.AllowLabelChange, attempt => ChampionJobs.OfRun(id, attempt));
        if (gate is null)
        {
            return Cancelled(versions);
        }

        var (decision, champion) = (gate.Decision, gate.Champion);
        if (decision.Promote)
        {
            run.Report(new RunStatus { Phase = RunPhases.Promoting, Percent = 98, Metrics = candidate, Message = decision.Reason });
        }

        return new RunOutcome
        {
            State = RunStates.Completed,
            ModelPackage = done.ModelPackage ?? classify.Output!.Prefix,
            ModelVersion = id,
            Promoted = decision.Promote,
            Reason = decision.Reason,
            Metrics = candidate,
            ChampionMetrics = champion,
            ClassReports = classReports,
            DatasetVersions = versions,
            Baseline = baseline,
            Imbalance = imbalance,
        };
    }

    /// <summary>
    /// Fits the baseline; null when the run was cancelled meanwhile. A baseline job that fails is recorded with its
    /// error and the run goes on: the baseline is the model's reference, not the product (a gate that requires it then
    /// refuses the candidate).
    /// </summary>
    private static async Task<RunBaseline?> FitBaselineAsync(RunContext run, TrainingJobSpec spec, double from, double to)
    {
        try
        {
            var fitted = await run.RunJobAsync(spec, RunPhases.Baseline, from, to);
            return fitted is null ? null : new RunBaseline { JobId = spec.JobId, Metrics = fitted.Metrics ?? new Dictionary<string, double>() };
        }
        catch (RunFailedException e)
        {
            return new RunBaseline { JobId = spec.JobId, Error = e.Message };
        }
    }

    private static RunOutcome Cancelled(IReadOnlyDictionary<string, string> versions) =>
        new() { State = RunStates.Cancelled, Reason = "cancelled on request", DatasetVersions = versions };

    /// <summary>The innermost message: what actually went wrong, not the chain of tasks that reported it.</summary>
    internal static string Reason(Exception e)
    {
        if (e is TaskFailedException { FailureDetails: { } details })
        {
            while (details.InnerFailure is { } inner)
            {
                details = inner;
            }

            return details.ErrorMessage;
        }

        return e.Message;
    }
}

internal static partial class TrainingRunLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Note}")]
    public static partial void Imbalanced(ILogger logger, string runId, string note);
}
