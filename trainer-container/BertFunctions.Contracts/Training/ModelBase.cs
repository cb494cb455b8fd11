using System.Text.Json.Serialization;

namespace BertFunctions.Contracts.Training;

[JsonConverter(typeof(JsonStringEnumConverter<ModelBaseKind>))]
public enum ModelBaseKind
{
    /// <summary>Random initialisation from <see cref="TrainingJobSpec.Config"/> (pretraining from scratch).</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>The bundled all-MiniLM-L6-v2.</summary>
    [JsonStringEnumMemberName("minilm")] MiniLm,

    /// <summary>An HF directory (config.json, vocab.txt, model.safetensors) under a blob prefix of the models container.</summary>
    [JsonStringEnumMemberName("hf")] HfDirectory,

    /// <summary>The latest checkpoint of an earlier job (e.g. the MLM job of domain-adaptive pretraining).</summary>
    [JsonStringEnumMemberName("checkpoint")] Checkpoint,

    /// <summary>A model package: <c>models/{name}/{version}/</c>.</summary>
    [JsonStringEnumMemberName("package")] Package,
}

/// <summary>What a job's model starts from.</summary>
public sealed record ModelBase(ModelBaseKind Kind, string? Reference = null)
{
    public static ModelBase None { get; } = new(ModelBaseKind.None);

    public static ModelBase MiniLm { get; } = new(ModelBaseKind.MiniLm);

    public void Validate()
    {
        var needsReference = Kind is ModelBaseKind.HfDirectory or ModelBaseKind.Checkpoint or ModelBaseKind.Package;
        TrainingJobSpec.Require(needsReference == !string.IsNullOrEmpty(Reference), "base.reference", Reference,
            needsReference ? $"required for kind {Kind}" : $"not used with kind {Kind}");
        TrainingJobSpec.Require(Reference is null || (!Reference.Contains("..", StringComparison.Ordinal) && !Reference.StartsWith('/') && !Reference.Contains('\\', StringComparison.Ordinal)), "base.reference", Reference, "a relative blob path without '..'");
    }
}

/// <summary>An ingested dataset version.</summary>
public sealed record DatasetReference(string Name, string Version)
{
    public void Validate()
    {
        TrainingJobSpec.Require(Name.Length is >= 2 and <= 63 && Name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'), "dataset.name", Name, "a dataset name (a-z, 0-9, '-')");
        TrainingJobSpec.Require(Version.Length is >= 1 and <= 100 && Version.All(char.IsAsciiLetterOrDigit), "dataset.version", Version, "a dataset version id");
    }
}

/// <summary>Where a job's model package goes: <c>models/{Name}/{Version}/</c>.</summary>
public sealed record ModelPackageReference(string Name, string Version)
{
    public string Prefix => $"{Name}/{Version}/";

    public void Validate()
    {
        TrainingJobSpec.Require(Name.Length is >= 2 and <= 63 && Name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'), "output.name", Name, "a model name (a-z, 0-9, '-')");
        TrainingJobSpec.Require(Version.Length is >= 1 and <= 100 && Version.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), "output.version", Version, "a version (letters, digits, '-', '_', '.')");
    }
}
