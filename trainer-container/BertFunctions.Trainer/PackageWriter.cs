using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Export;
using BertFunctions.Modeling;
using BertFunctions.Storage;
using BertFunctions.Training;
using BertFunctions.Training.Contracts;

namespace BertFunctions.Trainer;

/// <summary>
/// Writes the model package of a finished classification job (HF directory, ONNX export, metrics, job spec) to
/// <c>models/{name}/{version}/</c>: the bridge between the training library and the export library.
/// </summary>
public sealed class PackageWriter(BlobServiceClient blobs) : IModelPackageWriter
{
    public async Task<string> WriteAsync(TrainingJobSpec spec, TrainingResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(result);
        if (spec.Output is not { } output)
        {
            return string.Empty;
        }

        if (result.Model is not BertForSequenceClassification classifier || result.Config is null || result.Vocabulary is null)
        {
            throw new InvalidOperationException($"job {spec.JobId}: model packages hold classifiers; a {spec.Mode} job's result is its checkpoint ({result.FinalCheckpoint})");
        }

        var metrics = result.MetricsFile is { } file && File.Exists(file)
            ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)
            : JsonSerializer.Serialize(result.Metrics);
        await new ModelPackageWriter(blobs).WriteAsync(
            new ModelPackageContent(output.Name, output.Version, classifier, result.Config, result.Vocabulary, metrics, spec.ToJson()),
            cancellationToken).ConfigureAwait(false);
        return $"{StorageLayout.ModelsContainer}/{output.Prefix}";
    }
}
