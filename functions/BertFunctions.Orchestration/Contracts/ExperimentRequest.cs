using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BertFunctions.Ingestion;
using BertFunctions.Storage;
using BertFunctions.Training.Contracts;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// "Which strategy is better for my data?": every strategy, at every label budget, over several seeds, on the same
/// splits (POST /api/experiments). JSON is snake_case and strict, like <see cref="TrainingRunRequest"/>.
/// </summary>
public sealed record ExperimentRequest
{
    public required string Dataset { get; init; }

    public IReadOnlyList<TrainingStrategy> Strategies { get; init; } = [TrainingStrategy.Finetune, TrainingStrategy.Dapt, TrainingStrategy.Scratch];

    /// <summary>Training examples per arm; 0 means the whole training split.</summary>
    public IReadOnlyList<int> Budgets { get; init; } = [50, 200, 1000, 0];

    public IReadOnlyList<int> Seeds { get; init; } = [42, 1, 7];

    public string BaseModel { get; init; } = "minilm";

    public IngestionOptions? Reading { get; init; }

    public Hyperparameters? FineTuning { get; init; }

    public Hyperparameters? Pretraining { get; init; }

    public JsonElement? ScratchConfig { get; init; }

    public int VocabularySize { get; init; } = 30_000;

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

    public ExperimentRequest Validate()
    {
        TrainingRunRequest.Check(() => BlobNames.Dataset(Dataset), "dataset");
        TrainingRunRequest.Require(Strategies.Count is >= 1 and <= 3 && Strategies.Distinct().Count() == Strategies.Count, "strategies", "one to three distinct strategies");
        TrainingRunRequest.Require(Budgets.Count is >= 1 and <= 8 && Budgets.All(b => b is 0 or (>= 2 and <= 10_000_000)) && Budgets.Distinct().Count() == Budgets.Count, "budgets", "1-8 distinct budgets, each 0 (all) or at least 2");
        TrainingRunRequest.Require(Seeds.Count is >= 1 and <= 10 && Seeds.Distinct().Count() == Seeds.Count && Seeds.All(s => s >= 0), "seeds", "1-10 distinct non-negative seeds");
        TrainingRunRequest.Require(Strategies.Count * Budgets.Count * Seeds.Count <= 120, "strategies x budgets x seeds", "at most 120 fine-tuning jobs");
        // The per-run rules (base model, vocabulary size, hyperparameters) are the training request's.
        AsRunRequest(Strategies[0]).Validate();
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
    };
}

/// <summary>The experiment orchestration's input.</summary>
public sealed record ExperimentInput(ExperimentRequest Request, RunSettings Settings);

/// <summary>One arm's result for one seed.</summary>
public sealed record ArmResult(TrainingStrategy Strategy, int Budget, int Seed, string JobId, long Steps, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Mean and standard deviation over seeds of one (strategy, budget).</summary>
public sealed record ArmSummary(TrainingStrategy Strategy, int Budget, int Seeds, double AccuracyMean, double AccuracyStd, double MacroF1Mean, double MacroF1Std);

/// <summary>What an experiment found: every arm, the summaries, and the best strategy per budget.</summary>
public sealed record ExperimentResult(
    string Id,
    string Dataset,
    IReadOnlyDictionary<string, string> DatasetVersions,
    IReadOnlyList<ArmResult> Arms,
    IReadOnlyList<ArmSummary> Summaries,
    IReadOnlyDictionary<string, string> BestByBudget,
    string Recommendation);
