using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Ingestion;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// What a person (POST /api/training, or <c>uploads/config/{dataset}.json</c> for upload-driven runs) asks for: train a
/// classifier for a dataset's labeled uploads with one strategy, evaluate it, and promote it if it beats the live model.
/// JSON is snake_case and strict: an unknown field is a 400, never a silently ignored typo.
/// </summary>
public sealed record TrainingRunRequest
{
    /// <summary>The dataset: labeled text under <c>uploads/labeled/{dataset}/</c>, domain text under <c>uploads/raw/{dataset}/</c>.</summary>
    public required string Dataset { get; init; }

    public TrainingStrategy Strategy { get; init; } = TrainingStrategy.Finetune;

    /// <summary>Finetune and dapt start from this: <c>minilm</c> (bundled), <c>package:NAME/VERSION</c> or <c>hf:PREFIX</c>.</summary>
    public string BaseModel { get; init; } = "minilm";

    /// <summary>The model's name in <c>models/{name}/</c>; default the dataset's.</summary>
    public string? Model { get; init; }

    /// <summary>How to read the labeled uploads (default: a label per folder, every file).</summary>
    public IngestionOptions? Reading { get; init; }

    /// <summary>Fine-tuning hyperparameters (every strategy ends with a fine-tune).</summary>
    public Hyperparameters? FineTuning { get; init; }

    /// <summary>MLM hyperparameters for dapt and scratch.</summary>
    public Hyperparameters? Pretraining { get; init; }

    /// <summary>Scratch: the architecture as HF config.json fields; default MiniLM-L6's shape (6 x 384, 12 heads).</summary>
    public JsonElement? ScratchConfig { get; init; }

    /// <summary>Scratch: the size of the domain WordPiece vocabulary.</summary>
    public int VocabularySize { get; init; } = 30_000;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// The precision of every job of the run: <c>auto</c> (bf16 where the trainer's device computes it natively),
    /// <c>fp32</c> or <c>bf16</c>. Null: auto. A precision set in <see cref="FineTuning"/> or <see cref="Pretraining"/> wins.
    /// </summary>
    public string? Precision { get; init; }

    /// <summary>The hyperparameters of a job with the request's precision applied (where the job's own is auto).</summary>
    public Hyperparameters WithPrecision(Hyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        return Precision is null || hyperparameters.Precision != "auto" ? hyperparameters : hyperparameters with { Precision = Precision };
    }

    /// <summary>
    /// Champion/challenger: the validation-split metric a new model must beat (higher is better). Validation, not test:
    /// a gate that reads the test split turns it into a second validation split, and the test figures stop being honest.
    /// </summary>
    public string PromotionMetric { get; init; } = "validation.macro_f1";

    /// <summary>
    /// Let this run's model replace a live model whose labels or label mapping differ (<see cref="LabelContract"/>).
    /// Off by default: a change of what the labels mean must be asked for, since callers of the endpoint rely on it.
    /// </summary>
    public bool AllowLabelChange { get; init; }

    /// <summary>
    /// Fit the TF-IDF + logistic regression baseline beside the model, on the same splits (seconds), and report it in
    /// the run record. Null (left out) or true: fit it; false: skip it. Nullable so that a request that leaves it out
    /// serializes, and so hashes into its run id, as before the field existed.
    /// </summary>
    public bool? Baseline { get; init; }

    /// <summary>
    /// Promote only a model whose <see cref="PromotionMetric"/> is above the baseline's on the same validation split,
    /// besides beating the live model. Off by default; needs the baseline. Written only when set, for the same reason as <see cref="Baseline"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RequireBeatBaseline { get; init; }

    /// <summary>Whether the run fits the baseline (<see cref="Baseline"/> left out means yes).</summary>
    [JsonIgnore]
    public bool FitsBaseline => Baseline ?? true;

    private const string ValidationPrefix = "validation.";

    /// <summary>The package name the run writes and promotes.</summary>
    [JsonIgnore]
    public string ModelName => Model ?? Dataset;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true, // "base_model": null is a 400 that names the field, not a 500 later
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Parses and validates; a problem is a <see cref="RunRequestException"/> that says which field and why.</summary>
    public static TrainingRunRequest FromJson(string json)
    {
        TrainingRunRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<TrainingRunRequest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new RunRequestException($"the request is not valid JSON for a training run: {e.Message}");
        }

        return (request ?? throw new RunRequestException("the request body is empty")).Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Checks every field; returns this request.</summary>
    public TrainingRunRequest Validate()
    {
        Check(() => BlobNames.Dataset(Dataset), "dataset");
        Check(() => BlobNames.Dataset(ModelName), "model");
        Require(Enum.IsDefined(Strategy) && Strategy is not (TrainingStrategy.Baseline or TrainingStrategy.DaptTapt), "strategy", "one of finetune, dapt, tapt, scratch, embeddings (baseline and dapt+tapt are experiment arms)");
        Require(BaseModel == "minilm" || BaseModel.StartsWith("package:", StringComparison.Ordinal) || BaseModel.StartsWith("hf:", StringComparison.Ordinal), "base_model", "minilm, package:NAME/VERSION or hf:PREFIX");
        Require(VocabularySize is >= 1_000 and <= 200_000, "vocabulary_size", "1000-200000");
        Require(Precision is null or "auto" or "fp32" or "bf16", "precision", "auto, fp32 or bf16");
        Require(PromotionMetric.StartsWith(ValidationPrefix, StringComparison.Ordinal) && PromotionMetric.Length > ValidationPrefix.Length, "promotion_metric", "a validation-split metric such as validation.macro_f1 or validation.accuracy (decisions are not taken on the test split)");
        Require(!RequireBeatBaseline || FitsBaseline, "require_beat_baseline", "it together with the baseline (\"baseline\": false leaves nothing to beat)");
        Check(() => Reading?.Validate(), "reading");
        Check(() => FineTuning?.Validate(), "fine_tuning");
        Check(() => Pretraining?.Validate(), "pretraining");
        return this;
    }

    /// <summary>A short hash of the request, part of the run id: the same request on the same uploads is the same run.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())))[..16];

    internal static void Require(bool ok, string field, string rule)
    {
        if (!ok)
        {
            throw new RunRequestException($"field {field} is invalid: use {rule}");
        }
    }

    internal static void Check(Action validate, string field)
    {
        try
        {
            validate();
        }
        catch (Exception e) when (e is ArgumentException or JobSpecException or InvalidOperationException)
        {
            throw new RunRequestException($"field {field} is invalid: {e.Message}");
        }
    }
}

/// <summary>A training request that cannot be run, with the reason (a 400 over HTTP).</summary>
public sealed class RunRequestException(string message) : Exception(message);
