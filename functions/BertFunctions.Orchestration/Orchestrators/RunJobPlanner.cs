using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The trainer jobs of one training run, from its request and the datasets ingestion returned: finetune and
/// embeddings are one classify job from the base model; dapt and tapt an MLM job from the base model, then classify
/// from its checkpoint; scratch an MLM job from random initialisation (the default or requested config), then
/// classify. Every classification run also fits the TF-IDF baseline on the same splits. Job ids are the run id plus a
/// stage, so replays and retries address the same jobs.
/// </summary>
public static class RunJobPlanner
{
    /// <summary>Whether the strategy pretrains (MLM) before it fine-tunes, and so needs the domain or task text ingested.</summary>
    public static bool Pretrains(TrainingStrategy strategy) => strategy is TrainingStrategy.Dapt or TrainingStrategy.Tapt or TrainingStrategy.Scratch;

    /// <summary>Whether the run's text is the labeled uploads read as text: TAPT's text is the task's own, whatever raw/ holds.</summary>
    public static bool TextFromLabeled(TrainingStrategy strategy, bool noRawUploads) => noRawUploads || strategy == TrainingStrategy.Tapt;

    /// <summary>The MLM job on <paramref name="text"/>: from <paramref name="baseModel"/>, or from random initialisation for scratch.</summary>
    public static TrainingJobSpec Pretraining(string runId, TrainingRunRequest request, IngestedDataset text, ModelBase baseModel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(text);
        var scratch = request.Strategy == TrainingStrategy.Scratch;
        return new()
        {
            JobId = RunIds.Job(runId, RunIds.MlmStage),
            Mode = JobMode.Mlm,
            Base = scratch ? ModelBase.None : baseModel,
            Config = scratch ? request.ScratchConfig ?? TrainingRecipes.DefaultScratchConfig : null,
            Dataset = new DatasetReference(text.Dataset, text.Version),
            Hyperparameters = request.WithPrecision(request.Pretraining ?? TrainingRecipes.DefaultPretraining),
            Seed = request.Seed,
        };
    }

    /// <summary>
    /// The classify job on <paramref name="labeled"/> from <paramref name="from"/>, packaged as the run's model version;
    /// class-weighted as <see cref="ImbalancePolicy.ClassWeights"/> decides for <paramref name="imbalance"/>.
    /// </summary>
    public static TrainingJobSpec Classify(string runId, TrainingRunRequest request, IngestedDataset labeled, ModelBase from, LabelImbalance? imbalance = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labeled);
        var recipe = FineTuningPlan.ForBudget(TrainingRecipes.ForStrategy(request.Strategy, request.WithPrecision(request.FineTuning ?? TrainingRecipes.DefaultFineTuning)), request.FineTuning?.TrainExamples ?? 0);
        return new()
        {
            JobId = RunIds.Job(runId, RunIds.ClassifyStage),
            Mode = JobMode.Classify,
            Base = from,
            Dataset = new DatasetReference(labeled.Dataset, labeled.Version),
            Hyperparameters = recipe with { ClassWeights = ImbalancePolicy.ClassWeights(recipe.ClassWeights, imbalance) },
            Output = new ModelPackageReference(request.ModelName, runId),
            Seed = request.Seed,
        };
    }

    /// <summary>
    /// The TF-IDF + logistic regression baseline beside <paramref name="classify"/>: the trainer's baseline job (as an
    /// experiment's baseline arm) on the same dataset version, with the same seed and label budget, so it trains on the
    /// examples the fine-tune trains on and is scored on the same validation and test splits. Nothing is packaged.
    /// </summary>
    public static TrainingJobSpec Baseline(string runId, TrainingJobSpec classify)
    {
        ArgumentNullException.ThrowIfNull(classify);
        return classify with
        {
            JobId = RunIds.Job(runId, RunIds.BaselineStage),
            Mode = JobMode.Baseline,
            Base = ModelBase.None,
            Config = null,
            Output = null,
        };
    }

    /// <summary>Fine-tuning starts from the pretraining job's checkpoint when there was one.</summary>
    public static ModelBase FineTuningBase(ModelBase baseModel, TrainingJobSpec? pretraining) =>
        pretraining is null ? baseModel : new ModelBase(ModelBaseKind.Checkpoint, pretraining.JobId);
}
