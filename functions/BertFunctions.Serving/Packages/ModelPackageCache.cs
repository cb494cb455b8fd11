using System.Buffers;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving.Packages;

/// <summary>
/// Model packages on local disk, each downloaded once: <c>{cache}/{name}/{version}/</c>. Only package.json is trusted:
/// every file serving needs is checked against its size and SHA-256 while it streams in, into a private folder that
/// is renamed into place when complete, so a folder under its real name is always whole (versions are immutable,
/// so a complete folder never goes stale). The safetensors weights are not downloaded: ONNX Runtime runs model.onnx.
/// </summary>
public sealed partial class ModelPackageCache(BlobServiceClient blobs, IOptions<ServingOptions> options, TimeProvider time, ILogger<ModelPackageCache> logger)
{
    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);

    /// <summary>The package, from the local cache or downloaded and verified.</summary>
    /// <exception cref="ModelUnavailableException">No such package (<see cref="ModelProblem.NotFound"/>).</exception>
    /// <exception cref="InvalidDataException">The manifest is invalid, or a file differs from it.</exception>
    public async Task<LocalModelPackage> GetAsync(string name, string version, CancellationToken cancellationToken)
    {
        BlobNames.Dataset(name);
        BlobNames.Version(version);
        var root = Path.GetFullPath(Path.Combine(options.Value.CacheDirectory, name));
        var folder = Path.Combine(root, version);
        if (TryOpenLocal(folder, name, version) is { } cached)
        {
            return cached;
        }

        var prefix = $"{name}/{version}/";
        var source = $"{StorageLayout.ModelsContainer}/{prefix}{PackageFiles.Manifest}";
        BinaryData manifestJson;
        try
        {
            manifestJson = (await container.GetBlobClient(prefix + PackageFiles.Manifest).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ModelUnavailableException(ModelProblem.NotFound, $"model package {name}/{version} does not exist ({source} not found)", e);
        }

        var manifest = Check(PackageManifest.Parse(manifestJson.ToMemory().Span, source), name, version, source);
        var started = time.GetTimestamp();
        var partial = Directory.CreateDirectory(Path.Combine(root, $".{version}.partial-{Guid.NewGuid():N}"));
        try
        {
            long bytes = 0;
            foreach (var file in PackageFiles.Needed)
            {
                bytes += await DownloadVerifiedAsync(prefix, partial.FullName, manifest.File(file), cancellationToken).ConfigureAwait(false);
            }

            // The manifest last: TryOpenLocal trusts a folder only when it has one.
            await File.WriteAllBytesAsync(Path.Combine(partial.FullName, PackageFiles.Manifest), manifestJson.ToArray(), cancellationToken).ConfigureAwait(false);
            try
            {
                Directory.Move(partial.FullName, folder);
                var elapsed = time.GetElapsedTime(started);
                LogDownloaded(name, version, bytes, elapsed.TotalMilliseconds, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another loader (a second slot, or a second process on this cache) finished first: same bytes.
            }
        }
        finally
        {
            if (partial.Exists)
            {
                partial.Delete(recursive: true);
            }
        }

        return TryOpenLocal(folder, name, version) ?? throw new InvalidDataException($"{folder}: the downloaded package did not verify");
    }

    /// <summary>A complete local copy, or null (a damaged one is deleted so that it is downloaded again).</summary>
    private LocalModelPackage? TryOpenLocal(string folder, string name, string version)
    {
        var manifestPath = Path.Combine(folder, PackageFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        try
        {
            var manifest = Check(PackageManifest.Parse(File.ReadAllBytes(manifestPath), manifestPath), name, version, manifestPath);
            foreach (var file in PackageFiles.Needed)
            {
                var entry = manifest.File(file);
                var local = new FileInfo(Path.Combine(folder, file));
                if (!local.Exists || local.Length != entry.Size)
                {
                    throw new InvalidDataException($"{local.FullName}: missing or not {entry.Size} bytes");
                }
            }

            return new LocalModelPackage(name, version, folder, manifest);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            LogDamagedCopy(folder, e.Message);
            Directory.Delete(folder, recursive: true);
            return null;
        }
    }

    /// <summary>Streams one file to disk while hashing it; returns its size. Throws naming the file when it differs from the manifest.</summary>
    private async Task<long> DownloadVerifiedAsync(string prefix, string folder, PackageFile file, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = (await container.GetBlobClient(prefix + file.Path).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidDataException($"models/{prefix}{file.Path}: listed in the manifest but missing from storage", e);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        long size = 0;
        try
        {
            await using (content.ConfigureAwait(false))
            {
                var target = File.Create(Path.Combine(folder, file.Path));
                await using (target.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        size += read;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return size == file.Size && string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? size
            : throw new InvalidDataException($"models/{prefix}{file.Path}: content does not match the manifest (size {size} vs {file.Size}, SHA-256 {sha256} vs {file.Sha256}); the file is corrupt or was modified after the package was written");
    }

    private static PackageManifest Check(PackageManifest manifest, string name, string version, string source)
    {
        if (manifest.Name != name || manifest.Version != version)
        {
            throw new InvalidDataException($"{source}: describes {manifest.Name}/{manifest.Version}, not {name}/{version}");
        }

        foreach (var file in manifest.Files)
        {
            // Manifests come from storage: a listed path must not steer a write out of the package folder.
            if (file.Path.Contains('/', StringComparison.Ordinal) || file.Path.Contains('\\', StringComparison.Ordinal) || file.Path.StartsWith('.') || file.Path != Path.GetFileName(file.Path))
            {
                throw new InvalidDataException($"{source}: '{file.Path}' is not a plain file name");
            }
        }

        return manifest;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded model package {Name}/{Version}: {Bytes} bytes verified in {Milliseconds:F0} ms, into {Folder}")]
    private partial void LogDownloaded(string name, string version, long bytes, double milliseconds, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local copy {Folder} is damaged ({Reason}); downloading it again")]
    private partial void LogDamagedCopy(string folder, string reason);
}
