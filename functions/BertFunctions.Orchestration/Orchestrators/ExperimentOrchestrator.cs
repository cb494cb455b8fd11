using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The strategy comparison: ingest once per vocabulary, pretrain once per strategy that pretrains (domain-adaptive MLM
/// from the base model, MLM from scratch with the domain vocabulary), then fine-tune every (strategy, label budget,
/// seed) as parallel trainer jobs on the same splits, and summarise quality per strategy and budget (mean ± std over
/// seeds of the held-out test metrics). The result goes to <c>runs/{id}/experiment.json</c> and is the output.
/// </summary>
public sealed class ExperimentOrchestrator : TaskOrchestrator<ExperimentInput, ExperimentResult>
{
    public override async Task<ExperimentResult> RunAsync(TaskOrchestrationContext context, ExperimentInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        var id = context.InstanceId;
        var started = context.CurrentUtcDateTime;
        var run = new RunContext(context, input.Settings, context.WaitForExternalEvent<string>(RunIds.CancelEvent));
        var shared = request.AsRunRequest(TrainingStrategy.Finetune); // what every arm's ingestion and promotion share

        var uploads = await run.InspectLabeledUploadsAsync(request.Dataset);
        var textFromLabeled = uploads.RawFiles == 0;
        var texts = ExperimentTexts.For(request.Strategies, textFromLabeled);
        var domainVocabulary = texts.DomainVocabulary
            ? await context.CallActivityAsync<string>(nameof(TrainVocabularyActivity), new VocabularyInput(request.Dataset, textFromLabeled, request.VocabularySize, LowerCase: true, IngestionRequests.Text(shared, IngestionRequest.BundledVocabulary, textFromLabeled).Reading), Retries.Storage)
            : null;

        // Ingest: the labeled data, the domain text and the task's own text, once per vocabulary they are needed in.
        run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 5 });
        var bundled = IngestionRequest.BundledVocabulary;
        var labeledTask = run.IngestAsync(IngestionRequests.Labeled(shared, bundled), $"{id}-labeled");
        var textTask = texts.DomainText ? run.IngestAsync(IngestionRequests.Text(shared, bundled, textFromLabeled), $"{id}-text") : null;
        var taskTextTask = texts.SeparateTaskText ? run.IngestAsync(IngestionRequests.Text(shared, bundled, fromLabeled: true), $"{id}-task-text") : null;
        var domainLabeledTask = domainVocabulary is null ? null : run.IngestAsync(IngestionRequests.Labeled(shared, domainVocabulary), $"{id}-labeled-domain");
        var domainTextTask = domainVocabulary is null ? null : run.IngestAsync(IngestionRequests.Text(shared, domainVocabulary, textFromLabeled), $"{id}-text-domain");
        var labeled = await labeledTask;
        var text = textTask is null ? null : await textTask;
        var taskText = taskTextTask is null ? (texts.TaskText ? text : null) : await taskTextTask;
        var domainLabeled = domainLabeledTask is null ? null : await domainLabeledTask;
        var domainText = domainTextTask is null ? null : await domainTextTask;
        var versions = new Dictionary<string, string> { ["labeled"] = labeled.Version };
        AddVersion(versions, "text", text);
        AddVersion(versions, "task-text", taskText);
        AddVersion(versions, "labeled-domain", domainLabeled);
        AddVersion(versions, "text-domain", domainText);

        // A compute budget is planned now that the training split's size is known, before any training is spent.
        var plan = request.ComputeBudget is null ? null : ExperimentPlanner.Plan(request, labeled.DocumentsBySplit.GetValueOrDefault(Splits.Train), input.Settings.TrainingFlopsPerSecond);
        if (plan is not null)
        {
            run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 9, Message = "plan: " + string.Join("; ", plan.Notes) });
        }

        var jobs = new ExperimentJobPlanner(id, request, plan, BaseModelReference.Parse(request.BaseModel));
        var pretrained = await PretrainAsync(run, request, jobs, text, taskText, domainText);

        // Fine-tune every arm in parallel; the trainer workers take them as they come.
        var arms = jobs.Arms();
        var fineTuning = arms.Select((arm, i) =>
        {
            var spec = jobs.FineTuningJob(arm, pretrained, labeled, domainLabeled);
            return (arm, spec, done: run.RunJobAsync(spec, arm.Label, 30 + (65.0 * i / arms.Count), 30 + (65.0 * (i + 1) / arms.Count)));
        }).ToList();
        await Task.WhenAll(fineTuning.Select(j => j.done));

        var results = fineTuning.Where(j => j.done.Result is not null)
            .Select(j => new ArmResult(j.arm.Strategy, j.arm.Budget, j.arm.Seed, j.spec.JobId, j.done.Result!.Step, j.done.Result.Metrics ?? new Dictionary<string, double>(),
                j.done.Result.Cost, j.done.Result.Checkpoint, j.spec.Output?.Prefix))
            .ToList();
        var warnings = request.Warnings().ToList();
        if (texts.Note is { } note)
        {
            warnings.Add(note);
        }

        if (jobs.ScratchWarning() is { } scratchWarning)
        {
            warnings.Insert(0, scratchWarning);
        }

        var result = ExperimentSummary.Summarize(id, request.Dataset, versions, results, pretrained) with { StartedAt = started, Warnings = warnings.Count > 0 ? warnings : null, Plan = plan };
        // Is the best strategy's lead real? Example by example on validation, against the runner-up.
        var comparisons = await context.CallActivityAsync<List<PairedComparison>>(nameof(PairedComparisonActivity), result, Retries.Storage);
        result = result with { Comparisons = comparisons, Recommendation = ExperimentSummary.Recommend(result.Summaries, comparisons), EndedAt = context.CurrentUtcDateTime };

        if (request.Promote)
        {
            run.Report(new RunStatus { Phase = RunPhases.Promoting, Percent = 96, Message = "offering the winner for promotion" });
            result = result with { Promotion = await OfferWinnerAsync(run, shared, result, labeled, domainVocabulary) };
        }

        await context.CallActivityAsync<bool>(nameof(RecordExperimentActivity), result, Retries.Storage);
        run.Report(new RunStatus { Phase = RunPhases.Reporting, Percent = 98, Message = result.Recommendation });
        await context.CallActivityAsync<string>(nameof(WriteExperimentReportActivity), id, Retries.Storage);
        run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Message = result.Recommendation });
        return result;
    }

    /// <summary>
    /// Pretrains once per strategy that does (label budgets do not touch unlabeled text), in parallel where they can:
    /// the head fitting first when the base needs one, dapt+tapt after dapt, scratch on its own.
    /// </summary>
    private static async Task<List<PretrainingResult>> PretrainAsync(RunContext run, ExperimentRequest request, ExperimentJobPlanner jobs, IngestedDataset? text, IngestedDataset? taskText, IngestedDataset? domainText)
    {
        var chains = new Dictionary<TrainingStrategy, List<(string JobId, Task<TrainingEvent?> Done)>>();
        var headSpec = jobs.HeadFitting(text, taskText);
        (string JobId, Task<TrainingEvent?> Done)? head = headSpec is null ? null : (headSpec.JobId, run.RunJobAsync(headSpec, RunPhases.Pretraining, 10, 15));
        var adaptFrom = jobs.AdaptFrom(headSpec);

        (string JobId, Task<TrainingEvent?> Done) After((string JobId, Task<TrainingEvent?> Done)? first, TrainingJobSpec spec, double from, double to) =>
            (spec.JobId, AfterAsync(first?.Done, () => run.RunJobAsync(spec, RunPhases.Pretraining, from, to)));
        List<(string JobId, Task<TrainingEvent?> Done)> Chain(params (string JobId, Task<TrainingEvent?> Done)?[] steps) => [.. steps.Where(j => j is not null).Select(j => j!.Value)];

        if (text is not null)
        {
            var dapt = After(head, jobs.Adaptation("dapt-mlm", adaptFrom, text), 15, 30);
            if (request.Strategies.Contains(TrainingStrategy.Dapt))
            {
                chains[TrainingStrategy.Dapt] = Chain(head, dapt);
            }

            if (request.Strategies.Contains(TrainingStrategy.DaptTapt))
            {
                var next = After(dapt, jobs.Adaptation("dapt-tapt-mlm", new ModelBase(ModelBaseKind.Checkpoint, dapt.JobId), taskText!), 20, 30);
                chains[TrainingStrategy.DaptTapt] = Chain(head, dapt, next);
            }
        }

        if (request.Strategies.Contains(TrainingStrategy.Tapt))
        {
            chains[TrainingStrategy.Tapt] = Chain(head, After(head, jobs.Adaptation("tapt-mlm", adaptFrom, taskText!), 15, 30));
        }

        if (domainText is not null)
        {
            var spec = jobs.ScratchPretraining(domainText);
            chains[TrainingStrategy.Scratch] = [(spec.JobId, run.RunJobAsync(spec, RunPhases.Pretraining, 10, 30))];
        }

        var pretrained = new List<PretrainingResult>();
        foreach (var (strategy, chain) in chains)
        {
            var events = new List<TrainingEvent>();
            foreach (var job in chain)
            {
                events.Add(await job.Done ?? throw new RunFailedException($"cancelled on request during {TrainingStrategyNames.Name(strategy)} pretraining"));
            }

            pretrained.Add(ExperimentJobPlanner.Pretrained(strategy, chain[^1].JobId, events, headFitted: head is not null));
        }

        return pretrained;
    }

    /// <summary>
    /// The experiment's winner (<see cref="ExperimentWinner"/>) through the champion/challenger gate of a training run:
    /// it must beat the live model on the same validation split (the live model is evaluated on it when it was not).
    /// </summary>
    private static async Task<ExperimentPromotion?> OfferWinnerAsync(RunContext run, TrainingRunRequest request, ExperimentResult result, IngestedDataset labeled, string? domainVocabulary)
    {
        var id = run.Context.InstanceId;
        var choice = ExperimentWinner.Pick(result, request.PromotionMetric, request.ModelName);
        if (choice.Candidate is not { } candidate)
        {
            return choice.NotServed;
        }

        // Scratch's arm was measured on the labeled data in the domain vocabulary.
        var scratch = candidate.Strategy == TrainingStrategy.Scratch;
        var offered = new PromotionCandidate(candidate.JobId, candidate.ModelPackage!, candidate.Metrics,
            scratch ? result.DatasetVersions["labeled-domain"] : labeled.Version, scratch ? domainVocabulary! : IngestionRequest.BundledVocabulary);
        // An experiment never changes what the served labels mean; a training run with allow_label_change can.
        var gate = await ChampionGate.OfferAsync(run, request, labeled, IngestionRequest.BundledVocabulary, offered, allowLabelChange: false, attempt => ChampionJobs.OfExperiment(id, attempt))
            ?? throw new RunFailedException("cancelled on request while evaluating the live model");
        return new ExperimentPromotion(candidate.JobId, request.ModelName, gate.Decision.Promote, gate.Decision.Reason, gate.Champion);
    }

    /// <summary>Runs <paramref name="next"/> once <paramref name="first"/> has completed (not at all when it was cancelled).</summary>
    private static async Task<TrainingEvent?> AfterAsync(Task<TrainingEvent?>? first, Func<Task<TrainingEvent?>> next)
    {
        if (first is not null && await first is null)
        {
            return null;
        }

        return await next();
    }

    private static void AddVersion(Dictionary<string, string> versions, string name, IngestedDataset? dataset)
    {
        if (dataset is not null)
        {
            versions[name] = dataset.Version;
        }
    }
}
