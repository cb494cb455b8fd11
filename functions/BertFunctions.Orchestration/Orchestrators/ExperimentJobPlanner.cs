using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The trainer jobs of an experiment, from its request, its compute-budget plan (when it has one) and the base model:
/// the MLM jobs of the strategies that pretrain (a head fitted on the frozen encoder first when the base has none,
/// then the adaptations, and scratch from random initialisation) and one fine-tuning job per arm, on the same splits.
/// Job ids are <c>{experiment}--{arm}</c>, so replays and retries address the same jobs. Deterministic: the
/// orchestrator decides when each job runs, this decides what it is.
/// </summary>
public sealed class ExperimentJobPlanner
{
    private readonly string experimentId;
    private readonly ExperimentRequest request;
    private readonly ExperimentPlan? plan;
    private readonly ModelBase baseModel;

    /// <summary>The jobs of experiment <paramref name="experimentId"/>; <paramref name="plan"/> overrides pretraining steps and the scratch shape.</summary>
    public ExperimentJobPlanner(string experimentId, ExperimentRequest request, ExperimentPlan? plan, ModelBase baseModel)
    {
        ArgumentNullException.ThrowIfNull(request);
        this.experimentId = experimentId;
        this.request = request;
        this.plan = plan;
        this.baseModel = baseModel;
        var shared = request.AsRunRequest(TrainingStrategy.Finetune);
        Pretraining = shared.WithPrecision(request.Pretraining ?? TrainingRecipes.DefaultPretraining);
        FineTuning = shared.WithPrecision(request.FineTuning ?? TrainingRecipes.DefaultFineTuning);
        ScratchConfig = plan?.ScratchConfig ?? request.ScratchConfig ?? TrainingRecipes.DefaultScratchConfig;
    }

    /// <summary>The MLM recipe before the plan's steps: the request's or the default, at the request's precision.</summary>
    public Hyperparameters Pretraining { get; }

    /// <summary>The fine-tuning recipe before strategy and budget adjust it.</summary>
    public Hyperparameters FineTuning { get; }

    /// <summary>The shape scratch pretrains: the plan's, else the request's, else MiniLM-L6's.</summary>
    public JsonElement ScratchConfig { get; }

    /// <summary>Every (strategy, budget, seed), in that order: the order of jobs and of their progress ranges.</summary>
    public IReadOnlyList<ExperimentArm> Arms() =>
        [.. from strategy in request.Strategies from budget in request.Budgets from seed in request.Seeds select new ExperimentArm(strategy, budget, seed)];

    /// <summary>A recipe with the plan's steps for <paramref name="arm"/> when the plan has them (evaluations and checkpoints every quarter).</summary>
    public Hyperparameters Planned(Hyperparameters recipe, string arm)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return plan?.StepsOf(arm) is { } steps
            ? recipe with { MaxSteps = steps, EvalEverySteps = Math.Min(recipe.EvalEverySteps, Math.Max(1, steps / 4)), CheckpointEverySteps = Math.Max(1, steps / 4) }
            : recipe;
    }

    /// <summary>
    /// The bundled MiniLM has no MLM head: one is fitted on the frozen encoder first, so that an adaptation's gain is
    /// the encoder's and not a fresh head learning (the first comparison's DAPT started at loss 11.2). Null when the
    /// base model is another or there is no text to adapt on.
    /// </summary>
    /// <param name="domainText">The domain text, when dapt is compared (the head is fitted on it).</param>
    /// <param name="taskText">The task's text, when only tapt is.</param>
    public TrainingJobSpec? HeadFitting(IngestedDataset? domainText, IngestedDataset? taskText)
    {
        if ((domainText ?? taskText) is not { } text || baseModel != ModelBase.MiniLm)
        {
            return null;
        }

        var arm = domainText is not null ? "dapt-head" : "tapt-head";
        return Mlm(arm, baseModel, null, text, Planned(TrainingRecipes.HeadFitting(Pretraining), arm));
    }

    /// <summary>Where adaptations start: the fitted head's checkpoint, else the base model.</summary>
    public ModelBase AdaptFrom(TrainingJobSpec? headFitting) =>
        headFitting is null ? baseModel : new ModelBase(ModelBaseKind.Checkpoint, headFitting.JobId);

    /// <summary>An MLM adaptation named <paramref name="arm"/> (<c>dapt-mlm</c>, <c>dapt-tapt-mlm</c>, <c>tapt-mlm</c>) from <paramref name="from"/> on <paramref name="text"/>.</summary>
    public TrainingJobSpec Adaptation(string arm, ModelBase from, IngestedDataset text) => Mlm(arm, from, null, text, Planned(Pretraining, arm));

    /// <summary>Scratch's MLM job: random initialisation in <see cref="ScratchConfig"/>, on the domain text in the domain vocabulary.</summary>
    public TrainingJobSpec ScratchPretraining(IngestedDataset domainText) => Mlm("scratch-mlm", ModelBase.None, ScratchConfig, domainText, Planned(Pretraining, "scratch-mlm"));

    /// <summary>
    /// The fine-tuning job of <paramref name="arm"/>: the baseline learns its own features from the texts, the strategies
    /// that pretrain start from their MLM checkpoint, finetune and embeddings from the base model. Scratch reads the
    /// labeled data in the domain vocabulary. Every BERT arm is packaged, so the report links to real models and the
    /// winner can be promoted as it is.
    /// </summary>
    public TrainingJobSpec FineTuningJob(ExperimentArm arm, IReadOnlyList<PretrainingResult> pretrained, IngestedDataset labeled, IngestedDataset? domainLabeled)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(labeled);
        var jobId = RunIds.ExperimentJob(experimentId, $"{TrainingStrategyNames.Slug(arm.Strategy)}-b{LabelBudgets.Name(arm.Budget)}-s{arm.Seed}");
        var baseline = arm.Strategy == TrainingStrategy.Baseline;
        var data = arm.Strategy == TrainingStrategy.Scratch
            ? domainLabeled ?? throw new ArgumentException("scratch fine-tunes on the labeled data in the domain vocabulary", nameof(domainLabeled))
            : labeled;
        return new TrainingJobSpec
        {
            JobId = jobId,
            Mode = baseline ? JobMode.Baseline : JobMode.Classify,
            Base = arm.Strategy switch
            {
                TrainingStrategy.Baseline => ModelBase.None,
                _ when pretrained.FirstOrDefault(p => p.Strategy == arm.Strategy) is { } mlm => new ModelBase(ModelBaseKind.Checkpoint, mlm.JobId), // dapt, tapt, dapt+tapt, scratch
                _ => baseModel, // finetune, embeddings
            },
            Dataset = new DatasetReference(data.Dataset, data.Version),
            Hyperparameters = FineTuningPlan.ForBudget(TrainingRecipes.ForStrategy(arm.Strategy, FineTuning), arm.Budget),
            Output = baseline ? null : new ModelPackageReference(request.AsRunRequest(TrainingStrategy.Finetune).ModelName, jobId),
            Seed = arm.Seed,
        };
    }

    /// <summary>The warning that scratch's planned pretraining is too short for its shape to learn much; null when it is not, or without a plan.</summary>
    public string? ScratchWarning() =>
        plan is not null && request.Strategies.Contains(TrainingStrategy.Scratch)
            ? ScratchBudget.Estimate(ScratchConfig, Planned(Pretraining, "scratch-mlm"), ExperimentPlanner.SequenceLength)?.Warning
            : null;

    /// <summary>
    /// A pretraining strategy's result from the events of its chain of jobs (head fitting, adaptations, in order):
    /// the checkpoint is the last job's, and everything the chain took counts in its cost.
    /// </summary>
    /// <param name="headFitted">The chain starts with a head fitted on the frozen encoder: its metrics are where the adaptation started.</param>
    public static PretrainingResult Pretrained(TrainingStrategy strategy, string lastJobId, IReadOnlyList<TrainingEvent> events, bool headFitted)
    {
        ArgumentNullException.ThrowIfNull(events);
        var done = events[^1];
        var cost = events.Select(e => e.Cost).Aggregate((a, b) => a is null || b is null ? a ?? b : a with { Tokens = a.Tokens + b.Tokens, TrainSeconds = a.TrainSeconds + b.TrainSeconds });
        var start = headFitted && strategy != TrainingStrategy.Scratch ? events[0].Metrics : null;
        return new PretrainingResult(strategy, lastJobId, done.Step, done.Metrics ?? new Dictionary<string, double>(), cost, done.Checkpoint, start);
    }

    private TrainingJobSpec Mlm(string arm, ModelBase from, JsonElement? config, IngestedDataset text, Hyperparameters hyperparameters) => new()
    {
        JobId = RunIds.ExperimentJob(experimentId, arm),
        Mode = JobMode.Mlm,
        Base = from,
        Config = config,
        Dataset = new DatasetReference(text.Dataset, text.Version),
        Hyperparameters = hyperparameters,
        Seed = request.Seeds[0], // pretraining is shared by every seed of its arms
    };
}
