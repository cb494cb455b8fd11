using System.Globalization;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Contracts.Training;
using Microsoft.DurableTask;

using BertFunctions.Contracts.Models;

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

        var uploads = await run.InspectLabeledUploadsAsync(request.Dataset);

        var textFromLabeled = uploads.RawFiles == 0;
        var scratch = request.Strategies.Contains(TrainingStrategy.Scratch);
        var dapt = request.Strategies.Any(s => s is TrainingStrategy.Dapt or TrainingStrategy.DaptTapt);
        var tapt = request.Strategies.Any(s => s is TrainingStrategy.Tapt or TrainingStrategy.DaptTapt);
        var domainVocabulary = scratch
            ? await context.CallActivityAsync<string>(nameof(TrainVocabularyActivity), new VocabularyInput(request.Dataset, textFromLabeled, request.VocabularySize, LowerCase: true, TrainingRunOrchestrator.TextRequest(request.AsRunRequest(TrainingStrategy.Finetune), IngestionRequest.BundledVocabulary, textFromLabeled).Reading), Retries.Storage)
            : null;

        // Ingest: the labeled data, the domain text and the task's own text, once per vocabulary they are needed in.
        // Without raw/ uploads the domain text is the task's text: one version serves both.
        run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 5 });
        var bundled = IngestionRequest.BundledVocabulary;
        var runRequest = request.AsRunRequest(TrainingStrategy.Finetune);
        var labeledTask = TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.LabeledRequest(runRequest, bundled), $"{id}-labeled");
        var textTask = dapt ? TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.TextRequest(runRequest, bundled, textFromLabeled), $"{id}-text") : null;
        var taskTextTask = tapt && !(dapt && textFromLabeled) ? TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.TextRequest(runRequest, bundled, fromLabeled: true), $"{id}-task-text") : null;
        var domainLabeledTask = domainVocabulary is null ? null : TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.LabeledRequest(runRequest, domainVocabulary), $"{id}-labeled-domain");
        var domainTextTask = domainVocabulary is null ? null : TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.TextRequest(runRequest, domainVocabulary, textFromLabeled), $"{id}-text-domain");
        var labeled = await labeledTask;
        var text = textTask is null ? null : await textTask;
        var taskText = taskTextTask is null ? (tapt ? text : null) : await taskTextTask;
        var domainLabeled = domainLabeledTask is null ? null : await domainLabeledTask;
        var domainText = domainTextTask is null ? null : await domainTextTask;
        var versions = new Dictionary<string, string> { ["labeled"] = labeled.Version };
        AddVersion(versions, "text", text);
        AddVersion(versions, "task-text", taskText);
        AddVersion(versions, "labeled-domain", domainLabeled);
        AddVersion(versions, "text-domain", domainText);
        var notes = new List<string>();
        if (tapt && dapt && textFromLabeled)
        {
            notes.Add("the dataset has no raw/ uploads, so the domain text is the task's own text: dapt and tapt adapt on the same text, and dapt+tapt adapts on it twice as long");
        }

        // A compute budget is planned now that the training split's size is known, before any training is spent.
        var plan = request.ComputeBudget is null ? null : ExperimentPlanner.Plan(request, labeled.DocumentsBySplit.GetValueOrDefault(Splits.Train), input.Settings.TrainingFlopsPerSecond);
        if (plan is not null)
        {
            run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 9, Message = "plan: " + string.Join("; ", plan.Notes) });
        }

        // Pretrain, once per strategy that does (label budgets do not touch unlabeled text), in parallel where they can.
        var baseModel = TrainingRunOrchestrator.ParseBase(request.BaseModel);
        var pretraining = request.AsRunRequest(TrainingStrategy.Finetune).WithPrecision(request.Pretraining ?? TrainingRunOrchestrator.DefaultPretraining);
        Hyperparameters Planned(Hyperparameters recipe, string arm) => plan?.StepsOf(arm) is { } steps
            ? recipe with { MaxSteps = steps, EvalEverySteps = Math.Min(recipe.EvalEverySteps, Math.Max(1, steps / 4)), CheckpointEverySteps = Math.Max(1, steps / 4) }
            : recipe;
        var scratchConfig = plan?.ScratchConfig ?? request.ScratchConfig ?? TrainingRunOrchestrator.DefaultScratchConfig;
        var chains = new Dictionary<TrainingStrategy, List<(string JobId, Task<TrainingEvent?> Done)>>();
        (string JobId, Task<TrainingEvent?> Done)? head = null;
        var adaptFrom = baseModel;
        if ((text ?? taskText) is { } headText && baseModel == ModelBase.MiniLm)
        {
            // The bundled MiniLM has no MLM head: fit one on the frozen encoder first, so that an adaptation's gain is
            // the encoder's and not a fresh head learning (the first comparison's DAPT started at loss 11.2).
            var arm = text is not null ? "dapt-head" : "tapt-head";
            var spec = Mlm(id, arm, baseModel, null, headText, Planned(TrainingRunOrchestrator.HeadFitting(pretraining), arm), request.Seeds[0]);
            head = (spec.JobId, run.RunJobAsync(spec, RunPhases.Pretraining, 10, 15));
            adaptFrom = new ModelBase(ModelBaseKind.Checkpoint, spec.JobId);
        }

        (string JobId, Task<TrainingEvent?> Done) After((string JobId, Task<TrainingEvent?> Done)? first, TrainingJobSpec spec, double from, double to) =>
            (spec.JobId, AfterAsync(first?.Done, () => run.RunJobAsync(spec, RunPhases.Pretraining, from, to)));
        List<(string JobId, Task<TrainingEvent?> Done)> Chain(params (string JobId, Task<TrainingEvent?> Done)?[] jobs) => [.. jobs.Where(j => j is not null).Select(j => j!.Value)];

        if (text is not null)
        {
            var daptJob = After(head, Mlm(id, "dapt-mlm", adaptFrom, null, text, Planned(pretraining, "dapt-mlm"), request.Seeds[0]), 15, 30);
            if (request.Strategies.Contains(TrainingStrategy.Dapt))
            {
                chains[TrainingStrategy.Dapt] = Chain(head, daptJob);
            }

            if (request.Strategies.Contains(TrainingStrategy.DaptTapt))
            {
                var next = After(daptJob, Mlm(id, "dapt-tapt-mlm", new ModelBase(ModelBaseKind.Checkpoint, daptJob.JobId), null, taskText!, Planned(pretraining, "dapt-tapt-mlm"), request.Seeds[0]), 20, 30);
                chains[TrainingStrategy.DaptTapt] = Chain(head, daptJob, next);
            }
        }

        if (request.Strategies.Contains(TrainingStrategy.Tapt))
        {
            chains[TrainingStrategy.Tapt] = Chain(head, After(head, Mlm(id, "tapt-mlm", adaptFrom, null, taskText!, Planned(pretraining, "tapt-mlm"), request.Seeds[0]), 15, 30));
        }

        if (domainText is not null)
        {
            var spec = Mlm(id, "scratch-mlm", ModelBase.None, scratchConfig, domainText, Planned(pretraining, "scratch-mlm"), request.Seeds[0]);
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

            // Everything the strategy's checkpoint took counts in its cost: the head fitting, and for dapt+tapt both adaptations.
            var done = events[^1];
            var cost = events.Select(e => e.Cost).Aggregate((a, b) => a is null || b is null ? a ?? b : a with { Tokens = a.Tokens + b.Tokens, TrainSeconds = a.TrainSeconds + b.TrainSeconds });
            var start = head is not null && strategy != TrainingStrategy.Scratch ? events[0].Metrics : null; // the fitted head: where adaptation starts
            pretrained.Add(new PretrainingResult(strategy, chain[^1].JobId, done.Step, done.Metrics ?? new Dictionary<string, double>(), cost, done.Checkpoint, start));
        }

        // Fine-tune every arm in parallel; the trainer workers take them as they come. Each arm is packaged, so the
        // report links to real models and the winner can be promoted as it is.
        var model = request.AsRunRequest(TrainingStrategy.Finetune).ModelName;
        var arms = (from strategy in request.Strategies from budget in request.Budgets from seed in request.Seeds select (strategy, budget, seed)).ToList();
        var fineTuning = request.AsRunRequest(TrainingStrategy.Finetune).WithPrecision(request.FineTuning ?? TrainingRunOrchestrator.DefaultFineTuning);
        var jobs = arms.Select((arm, i) =>
        {
            var jobId = RunIds.ExperimentJob(id, $"{TrainingStrategyNames.Slug(arm.strategy)}-b{BudgetName(arm.budget)}-s{arm.seed}");
            var baseline = arm.strategy == TrainingStrategy.Baseline;
            var spec = new TrainingJobSpec
            {
                JobId = jobId,
                Mode = baseline ? JobMode.Baseline : JobMode.Classify,
                Base = arm.strategy switch
                {
                    TrainingStrategy.Baseline => ModelBase.None, // it learns its own features from the texts
                    _ when pretrained.Find(p => p.Strategy == arm.strategy) is { } mlm => new ModelBase(ModelBaseKind.Checkpoint, mlm.JobId), // dapt, tapt, dapt+tapt, scratch
                    _ => baseModel, // finetune, embeddings
                },
                Dataset = arm.strategy == TrainingStrategy.Scratch ? new DatasetReference(domainLabeled!.Dataset, domainLabeled.Version) : new DatasetReference(labeled.Dataset, labeled.Version),
                Hyperparameters = FineTuningPlan.ForBudget(TrainingRunOrchestrator.ForStrategy(arm.strategy, fineTuning), arm.budget),
                Output = baseline ? null : new ModelPackageReference(model, jobId),
                Seed = arm.seed,
            };
            return (arm, spec, done: run.RunJobAsync(spec, $"{TrainingStrategyNames.Name(arm.strategy)} budget {BudgetName(arm.budget)} seed {arm.seed}", 30 + (65.0 * i / arms.Count), 30 + (65.0 * (i + 1) / arms.Count)));
        }).ToList();
        await Task.WhenAll(jobs.Select(j => j.done));

        var results = jobs.Where(j => j.done.Result is not null)
            .Select(j => new ArmResult(j.arm.strategy, j.arm.budget, j.arm.seed, j.spec.JobId, j.done.Result!.Step, j.done.Result.Metrics ?? new Dictionary<string, double>(),
                j.done.Result.Cost, j.done.Result.Checkpoint, j.spec.Output?.Prefix))
            .ToList();
        var warnings = request.Warnings().Concat(notes).ToList();
        if (plan is not null && request.Strategies.Contains(TrainingStrategy.Scratch) && ScratchBudget.Estimate(scratchConfig, Planned(pretraining, "scratch-mlm"), ExperimentPlanner.SequenceLength)?.Warning is { } scratchWarning)
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
            result = result with { Promotion = await OfferWinnerAsync(run, request, result, labeled, domainVocabulary) };
        }

        await context.CallActivityAsync<bool>(nameof(RecordExperimentActivity), result, Retries.Storage);
        run.Report(new RunStatus { Phase = RunPhases.Reporting, Percent = 98, Message = result.Recommendation });
        await context.CallActivityAsync<string>(nameof(WriteExperimentReportActivity), id, Retries.Storage);
        run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Message = result.Recommendation });
        return result;
    }

    /// <summary>
    /// The best seed (on validation) of the best strategy (on validation) at the largest budget, through the
    /// champion/challenger gate of a training run: it must beat the live model on the same validation split (the live
    /// model is evaluated on it when it was not).
    /// </summary>
    private static async Task<ExperimentPromotion?> OfferWinnerAsync(RunContext run, ExperimentRequest request, ExperimentResult result, IngestedDataset labeled, string? domainVocabulary)
    {
        var context = run.Context;
        var runRequest = request.AsRunRequest(TrainingStrategy.Finetune);
        var metric = runRequest.PromotionMetric;
        var largest = result.Summaries.Select(s => s.Budget).OrderBy(b => b == 0 ? int.MaxValue : b).LastOrDefault();
        var winner = ExperimentSummary.Verdicts(result.Summaries).FirstOrDefault(v => v.Budget == largest)?.Best;
        var candidate = winner is null ? null : result.Arms
            .Where(a => a.Strategy == winner.Strategy && a.Budget == largest && a.ModelPackage is not null)
            .MaxBy(a => a.Metrics.GetValueOrDefault(metric, double.NegativeInfinity));
        if (winner?.Strategy == TrainingStrategy.Baseline)
        {
            var best = result.Arms.Where(a => a.Strategy == TrainingStrategy.Baseline && a.Budget == largest).MaxBy(a => a.Metrics.GetValueOrDefault(metric, double.NegativeInfinity));
            return new ExperimentPromotion(best?.JobId ?? "", runRequest.ModelName, false,
                "the TF-IDF baseline is best on validation at the largest budget; it is not served by this pipeline, so nothing was promoted (serve a BERT arm only if its cost is worth it)", null);
        }

        if (candidate is null)
        {
            return null;
        }

        // An experiment never changes what the served labels mean; a training run with allow_label_change can.
        var scratch = candidate.Strategy == TrainingStrategy.Scratch;
        var gate = await ChampionGate.OfferAsync(run, runRequest, labeled, IngestionRequest.BundledVocabulary, new LiveModel
        {
            Name = runRequest.ModelName,
            Version = candidate.JobId,
            Package = candidate.ModelPackage!,
            Metrics = candidate.Metrics,
            DatasetVersion = scratch ? result.DatasetVersions["labeled-domain"] : labeled.Version,
            Vocabulary = scratch ? domainVocabulary! : IngestionRequest.BundledVocabulary,
            RunId = context.InstanceId,
            PromotedAt = context.CurrentUtcDateTime,
            Labels = labeled.Labels,
            LabelContract = LabelContract.Of(labeled.Labels, runRequest.Reading),
        }, allowLabelChange: false, attempt => RunIds.ExperimentJob(context.InstanceId, attempt == 1 ? "champion" : string.Create(CultureInfo.InvariantCulture, $"champion{attempt}")))
            ?? throw new RunFailedException("cancelled on request while evaluating the live model");
        return new ExperimentPromotion(candidate.JobId, runRequest.ModelName, gate.Decision.Promote, gate.Decision.Reason, gate.Champion);
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

    private static TrainingJobSpec Mlm(string id, string arm, ModelBase from, System.Text.Json.JsonElement? config, IngestedDataset text, Hyperparameters hyperparameters, int seed) => new()
    {
        JobId = RunIds.ExperimentJob(id, arm),
        Mode = JobMode.Mlm,
        Base = from,
        Config = config,
        Dataset = new DatasetReference(text.Dataset, text.Version),
        Hyperparameters = hyperparameters,
        Seed = seed,
    };

    private static void AddVersion(Dictionary<string, string> versions, string name, IngestedDataset? dataset)
    {
        if (dataset is not null)
        {
            versions[name] = dataset.Version;
        }
    }

    internal static string BudgetName(int budget) => budget == 0 ? "all" : budget.ToString(CultureInfo.InvariantCulture);
}
