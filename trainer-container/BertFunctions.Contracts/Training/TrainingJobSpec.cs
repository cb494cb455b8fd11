using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Contracts.Training;

/// <summary>What a training job does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobMode>))]
public enum JobMode
{
    /// <summary>Masked-language-model training (pretraining from scratch or domain-adaptive pretraining).</summary>
    [JsonStringEnumMemberName("mlm")] Mlm,

    /// <summary>Fine-tuning a sequence classifier.</summary>
    [JsonStringEnumMemberName("classify")] Classify,

    /// <summary>Evaluating a model on a dataset's validation and test splits, no training.</summary>
    [JsonStringEnumMemberName("evaluate")] Evaluate,

    /// <summary>
    /// The classical baseline: TF-IDF word and character n-grams with multinomial logistic regression (ML.NET) on the
    /// dataset's cleaned texts, same training subset and splits as the BERT jobs; no model base, CPU, seconds.
    /// </summary>
    [JsonStringEnumMemberName("baseline")] Baseline,
}

/// <summary>
/// A training job, as the pipeline dispatches it (a message on the <c>training-jobs</c> queue, or <c>--job job.json</c>).
/// JSON with snake_case names; unknown fields are refused, so that a typo never silently trains with a default.
/// </summary>
public sealed record TrainingJobSpec
{
    /// <summary>Unique id: lower-case letters, digits and hyphens; names the checkpoint folder.</summary>
    public required string JobId { get; init; }

    /// <summary>
    /// The pipeline run (or experiment) that waits for this job's events: the trainer copies it into every event, and
    /// the pipeline routes events by it. Null for a job started by hand (<c>bertfn train</c>), whose events go nowhere.
    /// </summary>
    public string? RunId { get; init; }

    public required JobMode Mode { get; init; }

    /// <summary>What the model starts from.</summary>
    public required ModelBase Base { get; init; }

    /// <summary>
    /// For <see cref="ModelBase.None"/>: the architecture, as HF <c>config.json</c> fields (vocab_size is taken from
    /// the dataset's vocabulary). Ignored otherwise.
    /// </summary>
    public JsonElement? Config { get; init; }

    /// <summary>The dataset version to train on (ingested shards).</summary>
    public required DatasetReference Dataset { get; init; }

    public Hyperparameters Hyperparameters { get; init; } = new();

    /// <summary>Where the model package goes: <c>models/{name}/{version}/</c>. Null: checkpoints only.</summary>
    public ModelPackageReference? Output { get; init; }

    /// <summary>Seeds initialisation, dropout, data order and dynamic masking.</summary>
    public int Seed { get; init; } = 42;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        RespectRequiredConstructorParameters = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a spec; a problem is a <see cref="JobSpecException"/> naming the field.</summary>
    public static TrainingJobSpec FromJson(string json)
    {
        TrainingJobSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<TrainingJobSpec>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new JobSpecException($"job spec is not valid: {e.Message}");
        }

        return (spec ?? throw new JobSpecException("job spec is empty")).Validate();
    }

    /// <summary>Checks every field; returns this spec.</summary>
    public TrainingJobSpec Validate()
    {
        Require(JobId.Length is >= 1 and <= 63 && JobId.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') && JobId[0] != '-', "job_id", JobId, "1-63 characters of a-z, 0-9 and '-'");
        Require(RunId is null || (RunId.Length is >= 1 and <= 100 && RunId.All(c => c is > ' ' and < '\u007f')), "run_id", RunId, "absent, or 1-100 printable ASCII characters");
        Base.Validate();
        Dataset.Validate();
        Hyperparameters.Validate();
        Output?.Validate();
        Require(Mode != JobMode.Evaluate || Base.Kind != ModelBaseKind.None, "base.kind", "none", "an evaluate job needs a trained model");
        Require(Mode != JobMode.Baseline || Base.Kind == ModelBaseKind.None, "base.kind", Base.Kind.ToString().ToLowerInvariant(), "a baseline job trains its own model from the texts; its base is none");
        Require(Mode != JobMode.Baseline || Output is null, "output", Output?.Prefix, "a baseline job is compared, not served; it writes no model package");
        return this;
    }

    internal static void Require(bool ok, string field, object? value, string rule)
    {
        if (!ok)
        {
            throw new JobSpecException($"job spec field {field} = {JsonSerializer.Serialize(value)} is invalid: {rule}");
        }
    }
}

/// <summary>A job spec that cannot be run, with the reason.</summary>
public sealed class JobSpecException(string message) : Exception(message);
