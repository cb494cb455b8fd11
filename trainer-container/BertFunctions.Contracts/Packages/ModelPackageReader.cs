using Azure;
using Azure.Storage.Blobs;

namespace BertFunctions.Contracts.Packages;

/// <summary>A model package downloaded and verified on local disk.</summary>
/// <param name="Folder">The folder; it is also an HF model directory (the trainer opens it with <c>HfModelDirectory.Open</c>).</param>
/// <param name="Manifest">The parsed package.json.</param>
public sealed record ModelPackage(string Folder, ModelPackageManifest Manifest)
{
    /// <summary>The HF model directory (the package folder itself).</summary>
    public string HfDirectory => Folder;

    /// <summary>model.onnx.</summary>
    public string OnnxPath => Path.Combine(Folder, ModelPackageLayout.OnnxFile);

    /// <summary>metrics.json.</summary>
    public string MetricsPath => Path.Combine(Folder, ModelPackageLayout.MetricsFile);

    /// <summary>job.json.</summary>
    public string JobPath => Path.Combine(Folder, ModelPackageLayout.JobFile);

    /// <summary>package.json.</summary>
    public string ManifestPath => Path.Combine(Folder, ModelPackageLayout.ManifestFile);
}

/// <summary>
/// Downloads a model package from <c>models/{name}/{version}/</c>, trusting nothing but its package.json: every file
/// the manifest lists is downloaded and its size and SHA-256 checked, so a corrupt, tampered or half-rewritten file
/// is an <see cref="InvalidDataException"/> naming it, never a model that silently loads.
/// </summary>
public sealed class ModelPackageReader
{
    private readonly BlobContainerClient container;

    /// <summary>A reader of the <c>models</c> container of <paramref name="service"/>.</summary>
    public ModelPackageReader(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        container = service.GetBlobContainerClient(ModelPackageLayout.Container);
    }

    /// <summary>
    /// Downloads and verifies package <paramref name="name"/>/<paramref name="version"/> into <paramref name="destination"/>
    /// (default: <c>{temp}/bertfunctions-models/{name}/{version}</c>), replacing files already there.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such package (no package.json).</exception>
    /// <exception cref="InvalidDataException">The manifest is invalid, or a file's size or SHA-256 differs from it.</exception>
    public Task<ModelPackage> OpenAsync(string name, string version, string? destination = null, CancellationToken cancellationToken = default) =>
        OpenAsync(name, version, destination, only: null, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(string, string, string?, CancellationToken)"/>, downloading only the files named in
    /// <paramref name="only"/> (each must be listed in the manifest; null: all). Serving, for one, needs no weights.
    /// The manifest is written last, so a folder with a package.json holds every file it was asked for.
    /// </summary>
    public async Task<ModelPackage> OpenAsync(string name, string version, string? destination, IReadOnlyCollection<string>? only, CancellationToken cancellationToken = default)
    {
        var (prefix, json, manifest) = await ReadManifestAsync(name, version, cancellationToken).ConfigureAwait(false);
        var folder = Path.GetFullPath(destination ?? Path.Combine(Path.GetTempPath(), "bertfunctions-models", name, version));
        Directory.CreateDirectory(folder);
        foreach (var file in only is null ? manifest.Files : only.Select(manifest.File))
        {
            await DownloadVerifiedAsync(prefix, folder, file, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, ModelPackageLayout.ManifestFile), json, cancellationToken).ConfigureAwait(false);
        return new ModelPackage(folder, manifest);
    }

    /// <summary>
    /// Checks package <paramref name="name"/>/<paramref name="version"/> where it lies, as <c>OpenAsync</c> would
    /// before loading it: the manifest, and every file's size and SHA-256, streamed and kept nowhere. What promotion
    /// runs, so a pointer never names a package that serving would refuse.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such package (no package.json).</exception>
    /// <exception cref="InvalidDataException">The manifest is invalid, or a file is missing or differs from it.</exception>
    public async Task<ModelPackageManifest> VerifyAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        var (prefix, _, manifest) = await ReadManifestAsync(name, version, cancellationToken).ConfigureAwait(false);
        foreach (var file in manifest.Files)
        {
            Stream stream;
            try
            {
                stream = await container.GetBlobClient(prefix + file.Path).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new InvalidDataException($"{prefix}{file.Path}: listed in the manifest but missing from storage.", e);
            }

            await using (stream.ConfigureAwait(false))
            {
                var (size, sha256) = await FileHashes.OfStreamAsync(stream, cancellationToken).ConfigureAwait(false);
                Compare(prefix, file, size, sha256);
            }
        }

        return manifest;
    }

    private async Task<(string Prefix, string Json, ModelPackageManifest Manifest)> ReadManifestAsync(string name, string version, CancellationToken cancellationToken)
    {
        var prefix = ModelPackageLayout.Prefix(name, version);
        var source = $"{ModelPackageLayout.Container}/{prefix}{ModelPackageLayout.ManifestFile}";
        string json;
        try
        {
            json = (await container.GetBlobClient(prefix + ModelPackageLayout.ManifestFile).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"model package {name}/{version} does not exist: {source} not found (a package exists only once its manifest is written).", source, e);
        }

        return (prefix, json, ModelPackageManifest.FromJson(json, source).CheckFor(name, version, source));
    }

    private async Task DownloadVerifiedAsync(string prefix, string folder, PackageFile file, CancellationToken cancellationToken)
    {
        var target = Path.Combine(folder, ModelPackageLayout.FileName(file.Path));
        var partial = target + ".partial";
        Stream content;
        try
        {
            content = (await container.GetBlobClient(prefix + file.Path).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidDataException($"{prefix}{file.Path}: listed in the manifest but missing from storage.", e);
        }

        // Hashed while it streams to disk: one read of every byte.
        (long Size, string Sha256) written;
        await using (content.ConfigureAwait(false))
        {
            var stream = File.Create(partial);
            await using (stream.ConfigureAwait(false))
            {
                written = await FileHashes.CopyAsync(content, stream, cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            Compare(prefix, file, written.Size, written.Sha256);
        }
        catch (InvalidDataException)
        {
            File.Delete(partial);
            throw;
        }

        // Only verified bytes ever carry the final name.
        File.Move(partial, target, overwrite: true);
    }

    private static void Compare(string prefix, PackageFile file, long size, string sha256)
    {
        if (size != file.Size || !string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{prefix}{file.Path}: content does not match the manifest (size {size} vs {file.Size}, SHA-256 {sha256} vs {file.Sha256}); the file is corrupt or was modified after the package was written.");
        }
    }
}
