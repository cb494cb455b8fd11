using BertFunctions.Contracts.Storage;

namespace BertFunctions.Contracts.Packages;

/// <summary>
/// Where a model package lives: <c>models/{name}/{version}/</c>, flat. The HF files sit at the root of the folder,
/// so a downloaded package is itself an HF model directory (<c>from_pretrained(folder)</c> ignores the other files).
/// </summary>
public static class ModelPackageLayout
{
    /// <summary>The manifest, written last: a package exists exactly when its manifest does.</summary>
    public const string ManifestFile = "package.json";

    /// <summary>The ONNX export.</summary>
    public const string OnnxFile = "model.onnx";

    /// <summary>Evaluation metrics, as the training job wrote them.</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>The job specification that produced the model.</summary>
    public const string JobFile = "job.json";

    /// <summary>The HF model directory's files (HF's names, which the trainer's <c>HfModelDirectory</c> reads and writes).</summary>
    public const string ConfigFile = "config.json", VocabularyFile = "vocab.txt", WeightsFile = "model.safetensors", TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>Every file a package must list in its manifest (the manifest itself aside).</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
        [ConfigFile, VocabularyFile, WeightsFile, TokenizerConfigFile, OnnxFile, MetricsFile, JobFile];

    /// <summary>The container: <see cref="StorageLayout.ModelsContainer"/>.</summary>
    public const string Container = StorageLayout.ModelsContainer;

    /// <summary><c>{name}/{version}/</c> after validating both (a name follows the dataset-name rules, a version the version-id rules).</summary>
    public static string Prefix(string name, string version)
    {
        string validName;
        try
        {
            validName = BlobNames.Dataset(name);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"invalid model name '{name}': use 2-63 characters of a-z, 0-9 and single hyphens, starting with a letter or digit", nameof(name), e);
        }

        return $"{validName}/{BlobNames.Version(version)}/";
    }

    /// <summary>The blob name of <paramref name="file"/> in a package.</summary>
    public static string Blob(string name, string version, string file) => Prefix(name, version) + FileName(file);

    /// <summary><paramref name="file"/> if it is a plain file name (no folders, no '..'): manifests come from storage and must not steer writes elsewhere.</summary>
    public static string FileName(string file)
    {
        try
        {
            BlobNames.RelativePath(file);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        return file.Contains('/', StringComparison.Ordinal) || file.StartsWith('.')
            ? throw new InvalidDataException($"'{file}' is not a plain file name; a model package is one flat folder.")
            : file;
    }
}
