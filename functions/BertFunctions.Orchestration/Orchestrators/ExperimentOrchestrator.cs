using System.Globalization;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Training.Contracts;
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
        var run = new RunContext(context, input.Settings, context.WaitForExternalEvent<string>(RunIds.CancelEvent));

        var uploads = await run.InspectLabeledUploadsAsync(request.Dataset);

        var textFromLabeled = uploads.RawFiles == 0;
        var scratch = request.Strategies.Contains(TrainingStrategy.Scratch);
        var dapt = request.Strategies.Contains(TrainingStrategy.Dapt);
        var domainVocabulary = scratch
            ? await context.CallActivityAsync<string>(nameof(TrainVocabularyActivity), new VocabularyInput(request.Dataset, textFromLabeled, request.VocabularySize, LowerCase: true), Retries.Storage)
            : null;

        // Ingest: the labeled data and the domain text, once per vocabulary they are needed in.
        run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 5 });
        var bundled = IngestionRequest.BundledVocabulary;
        var runRequest = request.AsRunRequest(TrainingStrategy.Finetune);
        var labeledTask = TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.LabeledRequest(runRequest, bundled), $"{id}-labeled");
        var textTask = dapt ? TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.TextRequest(runRequest, bundled, textFromLabeled), $"{id}-text") : null;
        var domainLabeledTask = domainVocabulary is null ? null : TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.LabeledRequest(runRequest, domainVocabulary), $"{id}-labeled-domain");
        var domainTextTask = domainVocabulary is null ? null : TrainingRunOrchestrator.IngestAsync(context, TrainingRunOrchestrator.TextRequest(runRequest, domainVocabulary, textFromLabeled), $"{id}-text-domain");
        var labeled = await labeledTask;
        var text = textTask is null ? null : await textTask;
        var domainLabeled = domainLabeledTask is null ? null : await domainLabeledTask;
        var domainText = domainTextTask is null ? null : await domainTextTask;
        var versions = new Dictionary<string, string> { ["labeled"] = labeled.Version };
        AddVersion(versions, "text", text);
        AddVersion(versions, "labeled-domain", domainLabeled);
        AddVersion(versions, "text-domain", domainText);

        // Pretrain, once per strategy that does (label budgets do not touch unlabeled text), in parallel.
        var baseModel = TrainingRunOrchestrator.ParseBase(request.BaseModel);
        var pretraining = request.Pretraining ?? TrainingRunOrchestrator.DefaultPretraining;
        var mlmJobs = new Dictionary<TrainingStrategy, Task<TrainingEvent?>>();
        if (text is not null)
        {
            mlmJobs[TrainingStrategy.Dapt] = run.RunJobAsync(Mlm(id, "dapt-mlm", baseModel, null, text, pretraining, request.Seeds[0]), RunPhases.Pretraining, 10, 30);
        }

        if (domainText is not null)
        {
            mlmJobs[TrainingStrategy.Scratch] = run.RunJobAsync(Mlm(id, "scratch-mlm", ModelBase.None, request.ScratchConfig ?? TrainingRunOrchestrator.DefaultScratchConfig, domainText, pretraining, request.Seeds[0]), RunPhases.Pretraining, 10, 30);
        }

        foreach (var (strategy, job) in mlmJobs)
        {
            if (await job is null)
            {
                throw new RunFailedException($"cancelled on request during {strategy} pretraining");
            }
        }

        // Fine-tune every arm in parallel; the trainer workers take them as they come.
        var arms = (from strategy in request.Strategies from budget in request.Budgets from seed in request.Seeds select (strategy, budget, seed)).ToList();
        var fineTuning = request.FineTuning ?? TrainingRunOrchestrator.DefaultFineTuning;
        var jobs = arms.Select((arm, i) =>
        {
            var spec = new TrainingJobSpec
            {
                JobId = RunIds.ExperimentJob(id, $"{Short(arm.strategy)}-b{(arm.budget == 0 ? "all" : arm.budget.ToString(CultureInfo.InvariantCulture))}-s{arm.seed}"),
                Mode = JobMode.Classify,
                Base = arm.strategy switch
                {
                    TrainingStrategy.Finetune => baseModel,
                    TrainingStrategy.Dapt => new ModelBase(ModelBaseKind.Checkpoint, RunIds.ExperimentJob(id, "dapt-mlm")),
                    _ => new ModelBase(ModelBaseKind.Checkpoint, RunIds.ExperimentJob(id, "scratch-mlm")),
                },
                Dataset = arm.strategy == TrainingStrategy.Scratch ? new DatasetReference(domainLabeled!.Dataset, domainLabeled.Version) : new DatasetReference(labeled.Dataset, labeled.Version),
                Hyperparameters = fineTuning with { TrainExamples = arm.budget == 0 ? null : arm.budget },
                Seed = arm.seed,
            };
            return (arm, spec, done: run.RunJobAsync(spec, $"{Short(arm.strategy)} budget {(arm.budget == 0 ? "all" : arm.budget)} seed {arm.seed}", 30 + (65.0 * i / arms.Count), 30 + (65.0 * (i + 1) / arms.Count)));
        }).ToList();
        await Task.WhenAll(jobs.Select(j => j.done));

        var results = jobs.Where(j => j.done.Result is not null)
            .Select(j => new ArmResult(j.arm.strategy, j.arm.budget, j.arm.seed, j.spec.JobId, j.done.Result!.Step, j.done.Result.Metrics ?? new Dictionary<string, double>()))
            .ToList();
        var result = Summarize(id, request.Dataset, versions, results);
        await context.CallActivityAsync<bool>(nameof(RecordExperimentActivity), result, Retries.Storage);
        run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Message = result.Recommendation });
        return result;
    }

    /// <summary>Mean ± std over seeds per (strategy, budget), and the best strategy per budget by mean test macro-F1.</summary>
    public static ExperimentResult Summarize(string id, string dataset, IReadOnlyDictionary<string, string> versions, IReadOnlyList<ArmResult> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        var summaries = arms.GroupBy(a => (a.Strategy, a.Budget))
            .Select(g =>
            {
                var accuracy = g.Select(a => a.Metrics.GetValueOrDefault("test.accuracy", double.NaN)).ToList();
                var f1 = g.Select(a => a.Metrics.GetValueOrDefault("test.macro_f1", double.NaN)).ToList();
                return new ArmSummary(g.Key.Strategy, g.Key.Budget, g.Count(), Mean(accuracy), Std(accuracy), Mean(f1), Std(f1));
            })
            .OrderBy(s => s.Budget == 0 ? int.MaxValue : s.Budget).ThenBy(s => s.Strategy)
            .ToList();
        var best = summaries.GroupBy(s => s.Budget)
            .ToDictionary(g => g.Key == 0 ? "all" : g.Key.ToString(CultureInfo.InvariantCulture), g => Short(g.MaxBy(s => s.MacroF1Mean)!.Strategy));
        var recommendation = string.Join("; ", summaries.GroupBy(s => s.Budget).Select(g =>
        {
            var top = g.MaxBy(s => s.MacroF1Mean)!;
            return string.Create(CultureInfo.InvariantCulture, $"{(g.Key == 0 ? "all labels" : $"{g.Key} labels")}: {Short(top.Strategy)} (test macro-F1 {top.MacroF1Mean:F3} ± {top.MacroF1Std:F3}, {top.Seeds} seeds)");
        }));
        return new ExperimentResult(id, dataset, versions, arms, summaries, best, recommendation);
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

    private static string Short(TrainingStrategy strategy) => strategy switch
    {
        TrainingStrategy.Finetune => "finetune",
        TrainingStrategy.Dapt => "dapt",
        _ => "scratch",
    };

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();

    private static double Std(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
