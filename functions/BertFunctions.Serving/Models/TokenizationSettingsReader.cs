using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Serving.Packages;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Models;

/// <summary>
/// Finds the tokenization a model was trained with: its package's job.json names the dataset version, whose
/// manifest.json holds the ingestion config (<c>config.classification</c>, <c>config.lower_case</c>) its examples were
/// built with. A package without a job spec or whose dataset is gone gets ingestion's defaults, with a warning; a
/// manifest that exists but cannot be read fails the load rather than guess.
/// </summary>
public sealed partial class TokenizationSettingsReader(BlobServiceClient blobs, ILogger<TokenizationSettingsReader> logger)
{
    // The shape IngestionSteps writes the config with (snake_case, enums snake_case).
    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly BlobContainerClient datasets = blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    public async Task<TokenizationSettings> ReadAsync(LocalModelPackage package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        DatasetReference dataset;
        try
        {
            dataset = TrainingJobSpec.FromJson(await File.ReadAllTextAsync(package.PathOf(ModelPackageLayout.JobFile), cancellationToken).ConfigureAwait(false)).Dataset;
        }
        catch (JobSpecException e)
        {
            return Defaults(package, $"its job.json is not a training job spec ({e.Message})");
        }

        var manifestBlob = StorageLayout.Manifest(dataset.Name, dataset.Version);
        BinaryData json;
        try
        {
            json = (await datasets.GetBlobClient(manifestBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return Defaults(package, $"its dataset {dataset.Name}/{dataset.Version} has no {StorageLayout.DatasetsContainer}/{manifestBlob}");
        }

        var source = $"{StorageLayout.DatasetsContainer}/{manifestBlob}";
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var config = root.GetProperty("config");
            var classification = config.TryGetProperty("classification", out var c)
                ? c.Deserialize<ClassificationOptions>(ConfigJson) ?? new ClassificationOptions()
                : new ClassificationOptions();
            var lowerCase = !config.TryGetProperty("lower_case", out var l) || l.GetBoolean();
            if (root.TryGetProperty("vocabulary_sha256", out var vocabulary) && package.Manifest.VocabularySha256 is { } packaged
                && !string.Equals(vocabulary.GetString(), packaged, StringComparison.OrdinalIgnoreCase))
            {
                LogVocabularyDiffers(package.Name, package.Version, source);
            }

            return new TokenizationSettings(classification, lowerCase, $"dataset {dataset.Name}/{dataset.Version}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: cannot read the tokenization config of the dataset model {package.Name}/{package.Version} was trained on: {e.Message}", e);
        }
    }

    private TokenizationSettings Defaults(LocalModelPackage package, string reason)
    {
        LogDefaults(package.Name, package.Version, reason);
        return TokenizationSettings.Defaults(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Name}/{Version}: tokenizing with ingestion's defaults, because {Reason}")]
    private partial void LogDefaults(string name, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Name}/{Version}: its vocab.txt differs from the vocabulary of its training data ({Manifest}); serving tokenizes with the package's")]
    private partial void LogVocabularyDiffers(string name, string version, string manifest);
}
