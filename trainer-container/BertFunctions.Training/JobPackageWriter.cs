using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Export;
using BertFunctions.Modeling;

namespace BertFunctions.Training;

/// <summary>
/// Writes the model package of a finished classification job (HF directory, ONNX export, metrics, job spec) to
/// <c>models/{name}/{version}/</c> through the export library. Here, not in a host, so that every host (the trainer
/// container, the CLI) writes packages the same way without reaching into another host.
/// </summary>
public sealed class JobPackageWriter(BlobServiceClient blobs) : IModelPackageWriter
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

        // Idempotent per job: a job run again after it wrote its package (a resumed or re-dispatched job: the
        // pipeline's retries, a host restart) finds its own package and succeeds. Another job's package at the same
        // name and version is never overwritten: versions are immutable.
        var models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        if (await models.GetBlobClient(output.Prefix + ModelPackageLayout.ManifestFile).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            var job = (await models.GetBlobClient(output.Prefix + ModelPackageLayout.JobFile).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
            return TrainingJobSpec.FromJson(job).JobId == spec.JobId
                ? $"{StorageLayout.ModelsContainer}/{output.Prefix}"
                : throw new InvalidOperationException($"model package {output.Prefix} already exists, written by another job; versions are immutable, choose another output version");
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
