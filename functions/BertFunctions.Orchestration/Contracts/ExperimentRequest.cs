using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// "Which strategy is better for my data?": every strategy, at every label budget, over several seeds, on the same
/// splits (POST /api/experiments). JSON is snake_case and strict, like <see cref="TrainingRunRequest"/>.
/// </summary>
public sealed record ExperimentRequest
{
    public required string Dataset { get; init; }

    public IReadOnlyList<TrainingStrategy> Strategies { get; init; } = [TrainingStrategy.Finetune, TrainingStrategy.Dapt, TrainingStrategy.Scratch, TrainingStrategy.Embeddings, TrainingStrategy.Baseline];

    /// <summary>Training examples per arm; 0 means the whole training split.</summary>
    public IReadOnlyList<int> Budgets { get; init; } = [50, 200, 1000, 0];

    public IReadOnlyList<int> Seeds { get; init; } = [42, 1, 7];

    public string BaseModel { get; init; } = "minilm";

    public IngestionOptions? Reading { get; init; }

    public Hyperparameters? FineTuning { get; init; }

    public Hyperparameters? Pretraining { get; init; }

    public JsonElement? ScratchConfig { get; init; }

    public int VocabularySize { get; init; } = 30_000;

    /// <summary>
    /// The compute the experiment may spend (<see cref="Contracts.ComputeBudget"/>: <c>2h</c>, <c>150M tokens</c>);
    /// null: the steps are the recipes' own. With a budget, <see cref="ExperimentPlanner"/> plans the pretraining
    /// steps and the scratch model's size once the labeled data is ingested, and the plan is part of the result.
    /// </summary>
    public string? ComputeBudget { get; init; }

    /// <summary>The precision of every job (see <see cref="TrainingRunRequest.Precision"/>); null: auto.</summary>
    public string? Precision { get; init; }

    /// <summary>The model name the arms' packages go under (<c>models/{model}/{arm job}/</c>); the dataset's name by default.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// Offer the winner for promotion: the best seed of the best strategy at the largest budget goes through the same
    /// champion/challenger gate as a training run (it must beat the live model on the same test split).
    /// </summary>
    public bool Promote { get; init; }

    public static ExperimentRequest FromJson(string json)
    {
        ExperimentRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ExperimentRequest>(json, TrainingRunRequest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new RunRequestException($"the request is not valid JSON for an experiment: {e.Message}");
        }

        return (request ?? throw new RunRequestException("the request body is empty")).Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrainingRunRequest.JsonOptions);

    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())))[..16];

    /// <summary>What the user should know before compute is spent: a scratch arm whose pretraining budget is too small (<see cref="ScratchBudget"/>).</summary>
    /// <remarks>With a compute budget the scratch model is sized from its share once the data is ingested, and the plan says so then.</remarks>
    public IReadOnlyList<string> Warnings() =>
        ComputeBudget is null && Strategies.Contains(TrainingStrategy.Scratch) && ScratchBudget.Estimate(
            ScratchConfig ?? TrainingRecipes.DefaultScratchConfig,
            Pretraining ?? TrainingRecipes.DefaultPretraining,
            new Datasets.PretrainingOptions().MaxSeqLen)?.Warning is { } warning ? [warning] : [];

    public ExperimentRequest Validate()
    {
        TrainingRunRequest.Check(() => BlobNames.Dataset(Dataset), "dataset");
        TrainingRunRequest.Require(Strategies.Count is >= 1 and <= 7 && Strategies.Distinct().Count() == Strategies.Count && Strategies.All(Enum.IsDefined), "strategies", "one to seven distinct strategies of finetune, dapt, tapt, dapt+tapt, scratch, embeddings, baseline");
        TrainingRunRequest.Require(Budgets.Count is >= 1 and <= 8 && Budgets.All(b => b is 0 or (>= 2 and <= 10_000_000)) && Budgets.Distinct().Count() == Budgets.Count, "budgets", "1-8 distinct budgets, each 0 (all) or at least 2");
        TrainingRunRequest.Require(Seeds.Count is >= 1 and <= 10 && Seeds.Distinct().Count() == Seeds.Count && Seeds.All(s => s >= 0), "seeds", "1-10 distinct non-negative seeds");
        TrainingRunRequest.Require(Strategies.Count * Budgets.Count * Seeds.Count <= 120, "strategies x budgets x seeds", "at most 120 fine-tuning jobs");
        if (ComputeBudget is not null)
        {
            Contracts.ComputeBudget.Parse(ComputeBudget);
            TrainingRunRequest.Require(Pretraining?.MaxSteps is null, "pretraining.max_steps", "left out with a compute_budget, which plans the pretraining steps");
        }

        // The per-run rules (base model, vocabulary size, hyperparameters) are the training request's.
        AsRunRequest(TrainingStrategy.Finetune).Validate(); // the fields every arm shares (the baseline is no run's strategy)
        return this;
    }

    /// <summary>The training request of one strategy (what ingestion and job building share with a single run).</summary>
    public TrainingRunRequest AsRunRequest(TrainingStrategy strategy) => new()
    {
        Dataset = Dataset,
        Strategy = strategy,
        BaseModel = BaseModel,
        Reading = Reading,
        FineTuning = FineTuning,
        Pretraining = Pretraining,
        ScratchConfig = ScratchConfig,
        VocabularySize = VocabularySize,
        Model = Model,
        Precision = Precision,
    };
}

/// <summary>The experiment orchestration's input.</summary>
public sealed record ExperimentInput(ExperimentRequest Request, RunSettings Settings);

/// <summary>One arm's result for one seed: its validation and test metrics, what its fine-tuning cost, and where its model and curves are.</summary>
/// <param name="Checkpoint">The final checkpoint (<c>checkpoints/{job}/step-N/</c>, with metrics.json and the curves).</param>
/// <param name="ModelPackage">The model package (<c>models/{name}/{version}/</c>), when one was written.</param>
public sealed record ArmResult(
    TrainingStrategy Strategy,
    int Budget,
    int Seed,
    string JobId,
    long Steps,
    IReadOnlyDictionary<string, double> Metrics,
    JobCost? Cost = null,
    string? Checkpoint = null,
    string? ModelPackage = null);

/// <summary>The one pretraining job of a strategy that pretrains (shared by all its arms).</summary>
/// <param name="StartMetrics">DAPT from a base without an MLM head: the metrics of the head fitted on the frozen encoder first (its validation loss is where the adaptation started).</param>
public sealed record PretrainingResult(TrainingStrategy Strategy, string JobId, long Steps, IReadOnlyDictionary<string, double> Metrics, JobCost? Cost, string? Checkpoint, IReadOnlyDictionary<string, double>? StartMetrics = null);

/// <summary>
/// Mean and standard deviation over seeds of one (strategy, budget), with the mean cost of its fine-tuning and the
/// cost of the strategy's pretraining (paid once, whatever the budgets and seeds). Accuracy and macro-F1 are on the
/// test split (reported); the validation macro-F1 is what strategies are chosen by.
/// </summary>
public sealed record ArmSummary(
    TrainingStrategy Strategy,
    int Budget,
    int Seeds,
    double AccuracyMean,
    double AccuracyStd,
    double MacroF1Mean,
    double MacroF1Std,
    double FineTuneTokensMean = 0,
    double FineTuneSecondsMean = 0,
    long PretrainingTokens = 0,
    double PretrainingSeconds = 0,
    double ValidationMacroF1Mean = double.NaN,
    double ValidationMacroF1Std = double.NaN)
{
    /// <summary>Half the width of the 95 % interval of the mean test macro-F1 over seeds (<see cref="Orchestrators.ConfidenceInterval"/>); NaN for one seed. Derived, so not serialized.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double MacroF1Ci95 => Orchestrators.ConfidenceInterval.HalfWidth95(MacroF1Std, Seeds);

    /// <summary>The same for validation macro-F1.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double ValidationMacroF1Ci95 => Orchestrators.ConfidenceInterval.HalfWidth95(ValidationMacroF1Std, Seeds);
}

/// <summary>What an experiment found: every arm, the summaries, and the best strategy per budget.</summary>
public sealed record ExperimentResult(
    string Id,
    string Dataset,
    IReadOnlyDictionary<string, string> DatasetVersions,
    IReadOnlyList<ArmResult> Arms,
    IReadOnlyList<ArmSummary> Summaries,
    IReadOnlyDictionary<string, string> BestByBudget,
    string Recommendation,
    IReadOnlyList<PretrainingResult>? Pretraining = null,
    string? Device = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null,
    ExperimentPromotion? Promotion = null,
    IReadOnlyList<string>? Warnings = null,
    IReadOnlyList<PairedComparison>? Comparisons = null,
    ExperimentPlan? Plan = null);

/// <summary>
/// The best strategy at a budget against the runner-up, example by example on the validation split: McNemar's exact
/// test over the disagreements summed across seeds (<see cref="Orchestrators.McNemar"/>).
/// </summary>
/// <param name="B">Validation examples the best strategy's models got right and the runner-up's wrong, over the seeds.</param>
/// <param name="C">The reverse.</param>
/// <param name="SeedsSkipped">Seeds left out: an arm without per-example predictions, or not on the same examples.</param>
public sealed record PairedComparison(int Budget, TrainingStrategy Best, TrainingStrategy RunnerUp, int Seeds, int SeedsSkipped, int B, int C, double PValue)
{
    /// <summary>The significance level a lead must reach to be a win.</summary>
    public const double Alpha = 0.05;

    public bool Significant => PValue < Alpha;
}

/// <summary>What happened when the winner was offered for promotion (experiments with <c>promote</c>).</summary>
/// <param name="Candidate">The arm offered: the best seed of the best strategy at the largest budget.</param>
public sealed record ExperimentPromotion(string Candidate, string Model, bool Promoted, string Reason, IReadOnlyDictionary<string, double>? ChampionMetrics);
