using Azure.Storage.Blobs;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
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
    private readonly ModelPackageReader reader = new(blobs);

    /// <summary>The files serving uses, downloaded and verified (the safetensors weights and the metrics it does not need).</summary>
    public static IReadOnlyList<string> ServedFiles { get; } =
        [ModelPackageLayout.ConfigFile, ModelPackageLayout.VocabularyFile, ModelPackageLayout.TokenizerConfigFile, ModelPackageLayout.OnnxFile, ModelPackageLayout.JobFile];

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

        var started = time.GetTimestamp();
        var partial = Directory.CreateDirectory(Path.Combine(root, $".{version}.partial-{Guid.NewGuid():N}"));
        try
        {
            // The one verified downloader (also the CLI's and the trainer's): every file checked against its size and
            // SHA-256 as it streams in, the manifest written last.
            ModelPackage package;
            try
            {
                package = await reader.OpenAsync(name, version, partial.FullName, ServedFiles, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException e)
            {
                throw new ModelUnavailableException(ModelProblem.NotFound, e.Message, e);
            }

            try
            {
                Directory.Move(partial.FullName, folder);
                var bytes = ServedFiles.Sum(f => package.Manifest.File(f).Size);
                var milliseconds = time.GetElapsedTime(started).TotalMilliseconds;
                LogDownloaded(name, version, bytes, milliseconds, folder);
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
        var manifestPath = Path.Combine(folder, ModelPackageLayout.ManifestFile);
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        try
        {
            var manifest = ModelPackageManifest.FromJson(File.ReadAllText(manifestPath), manifestPath).CheckFor(name, version, manifestPath);
            foreach (var file in ServedFiles)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded model package {Name}/{Version}: {Bytes} bytes verified in {Milliseconds:F0} ms, into {Folder}")]
    private partial void LogDownloaded(string name, string version, long bytes, double milliseconds, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local copy {Folder} is damaged ({Reason}); downloading it again")]
    private partial void LogDamagedCopy(string folder, string reason);
}
