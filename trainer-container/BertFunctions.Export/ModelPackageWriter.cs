using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Packages;
using BertFunctions.Modeling;

namespace BertFunctions.Export;

/// <summary>What goes into a model package.</summary>
/// <param name="Name">Model name: 2-63 characters of a-z, 0-9 and single hyphens.</param>
/// <param name="Version">Version id: 1-100 characters of A-Z, a-z, 0-9, '-' and '_'.</param>
/// <param name="Model">The trained classifier (any device).</param>
/// <param name="Config">Its config; missing id2label/label2id are completed as HF does.</param>
/// <param name="Vocabulary">The text of the vocab.txt it was trained with.</param>
/// <param name="MetricsJson">metrics.json, a JSON object, stored as given.</param>
/// <param name="JobJson">job.json, a JSON object, stored as given.</param>
public sealed record ModelPackageContent(
    string Name,
    string Version,
    BertForSequenceClassification Model,
    BertConfig Config,
    string Vocabulary,
    string MetricsJson,
    string JobJson)
{
    /// <summary>do_lower_case of tokenizer_config.json.</summary>
    public bool DoLowerCase { get; init; } = true;
}

/// <summary>
/// Writes a model package to <c>models/{name}/{version}/</c>: the HF directory (config.json, vocab.txt,
/// model.safetensors, tokenizer_config.json), model.onnx, metrics.json, job.json, and package.json LAST, created
/// only if absent. Readers look for package.json first, so a package exists exactly when its manifest does: a
/// crash mid-way leaves files no reader trusts, and the next attempt overwrites them. Versions are immutable.
/// </summary>
public sealed class ModelPackageWriter
{
    private readonly BlobContainerClient container;
    private readonly TimeProvider time;

    /// <summary>A writer to the <c>models</c> container of <paramref name="service"/>.</summary>
    public ModelPackageWriter(BlobServiceClient service, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        container = service.GetBlobContainerClient(ModelPackageLayout.Container);
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Builds the files in a temporary folder, uploads them, then the manifest; returns the manifest.</summary>
    /// <exception cref="InvalidOperationException">The package already exists.</exception>
    public async Task<ModelPackageManifest> WriteAsync(ModelPackageContent content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var prefix = ModelPackageLayout.Prefix(content.Name, content.Version);
        var metrics = MetricsSummary.ParseObject(content.MetricsJson, nameof(content.MetricsJson));
        MetricsSummary.ParseObject(content.JobJson, nameof(content.JobJson));
        var config = ClassifierLabels.Complete(content.Config);

        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var manifestBlob = container.GetBlobClient(prefix + ModelPackageLayout.ManifestFile);
        if (await manifestBlob.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"model package {prefix} already exists; versions are immutable, write a new version.");
        }

        var folder = Directory.CreateTempSubdirectory("bertfunctions-package-");
        try
        {
            var vocabularySha256 = WriteLocalFiles(folder.FullName, content, config);
            var files = new List<PackageFile>();
            foreach (var file in ModelPackageLayout.RequiredFiles)
            {
                files.Add(await UploadAsync(prefix, folder.FullName, file, cancellationToken).ConfigureAwait(false));
            }

            var manifest = new ModelPackageManifest
            {
                Name = content.Name,
                Version = content.Version,
                CreatedAt = time.GetUtcNow(),
                Architecture = nameof(BertForSequenceClassification),
                Labels = ClassifierLabels.Names(config),
                Files = files,
                Metrics = MetricsSummary.Summarize(metrics),
                Onnx = new OnnxSignature(ModelPackageLayout.OnnxFile, OnnxClassifierExport.Opset, OnnxClassifierExport.IrVersion, OnnxClassifierExport.InputNames, [OnnxClassifierExport.Logits]),
                VocabularySha256 = vocabularySha256,
            };
            await CommitAsync(manifestBlob, prefix, manifest, cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The package's files in <paramref name="folder"/>; returns the vocabulary's SHA-256.</summary>
    private static string WriteLocalFiles(string folder, ModelPackageContent content, BertConfig config)
    {
        HfModelDirectory.Save(folder, config, content.Model, content.Vocabulary, content.DoLowerCase);
        var vocabularySha256 = FileHashes.Of(File.ReadAllBytes(Path.Combine(folder, HfModelDirectory.VocabularyFile)));
        using (var onnx = File.Create(Path.Combine(folder, ModelPackageLayout.OnnxFile)))
        {
            OnnxClassifierExport.Export(content.Model, config, onnx, vocabularySha256);
        }

        File.WriteAllText(Path.Combine(folder, ModelPackageLayout.MetricsFile), content.MetricsJson, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, ModelPackageLayout.JobFile), content.JobJson, new UTF8Encoding(false));
        return vocabularySha256;
    }

    private async Task<PackageFile> UploadAsync(string prefix, string folder, string file, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, file);
        var (size, sha256) = await FileHashes.OfFileAsync(path, cancellationToken).ConfigureAwait(false);
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = ContentType(file) } };
        // Overwrites: leftovers of an attempt that died before its manifest belong to no package.
        await container.GetBlobClient(prefix + file).UploadAsync(path, options, cancellationToken).ConfigureAwait(false);
        return new PackageFile(file, size, sha256);
    }

    private static async Task CommitAsync(BlobClient manifestBlob, string prefix, ModelPackageManifest manifest, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            // Create-only: of two writers racing on one version, exactly one commits.
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await manifestBlob.UploadAsync(BinaryData.FromString(manifest.ToJson()), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            throw new InvalidOperationException($"model package {prefix} was committed by another writer while this one uploaded; its files may now be this writer's.", e);
        }
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".json" => "application/json",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
