using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Training.Checkpoints;

/// <summary>
/// Checkpoints in the <c>checkpoints</c> container: <c>{job_id}/step-{n:D8}/</c> per checkpoint and
/// <c>{job_id}/latest.json</c>. New blobs are written before the pointer moves, so a crash mid-write leaves the
/// previous checkpoint current; every file is checked against the manifest's SHA-256 on restore.
/// </summary>
public sealed class BlobCheckpointStore(BlobServiceClient blobs, ILogger<BlobCheckpointStore> logger) : ICheckpointStore
{
    private BlobContainerClient Container => blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);

    /// <inheritdoc />
    public async Task<string> SaveAsync(string jobId, long atStep, string folder, int keep, CancellationToken cancellationToken)
    {
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var step = atStep;
        var prefix = $"{jobId}/{CheckpointFiles.StepFolder(step)}/";
        var entries = new List<CheckpointFileEntry>();
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => Path.GetFileName(f) != CheckpointFiles.Manifest).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            string hash;
            using (var stream = File.OpenRead(file))
            {
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }

            await Container.GetBlobClient(prefix + name).UploadAsync(file, overwrite: true, cancellationToken).ConfigureAwait(false);
            entries.Add(new CheckpointFileEntry(name, new FileInfo(file).Length, hash));
        }

        var manifest = new CheckpointManifest(jobId, step, DateTimeOffset.UtcNow, entries);
        await UploadJsonAsync(prefix + CheckpointFiles.Manifest, manifest, cancellationToken).ConfigureAwait(false);
        await UploadJsonAsync($"{jobId}/{CheckpointFiles.Latest}", new LatestPointer(step, prefix), cancellationToken).ConfigureAwait(false);
        await PruneAsync(jobId, step, keep, cancellationToken).ConfigureAwait(false);
        return $"{StorageLayout.CheckpointsContainer}/{prefix}";
    }

    /// <inheritdoc />
    public async Task<RestoredCheckpoint?> RestoreLatestAsync(string jobId, string folder, CancellationToken cancellationToken)
    {
        if (!await Container.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        long? pointed = null;
        try
        {
            var latest = await Container.GetBlobClient($"{jobId}/{CheckpointFiles.Latest}").DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            pointed = JsonSerializer.Deserialize<LatestPointer>(latest.Value.Content.ToString(), CheckpointManifest.JsonOptions)?.Step;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        catch (JsonException e)
        {
            TrainingLog.CheckpointUnusable(logger, $"{jobId}/{CheckpointFiles.Latest}", e.Message);
        }

        // Candidates: the pointed-to step first, then every older folder, newest first (a newer, unpointed folder is an unfinished write).
        var all = await ListStepsAsync(jobId, cancellationToken).ConfigureAwait(false);
        foreach (var unfinished in all.Where(s => s > pointed))
        {
            TrainingLog.CheckpointUnusable(logger, $"{StorageLayout.CheckpointsContainer}/{jobId}/{CheckpointFiles.StepFolder(unfinished)}/", "newer than latest.json: a write that did not finish (the process died); skipped");
        }

        var steps = all.Where(s => pointed is null || s <= pointed).OrderDescending().ToList();
        foreach (var step in steps)
        {
            var prefix = $"{jobId}/{CheckpointFiles.StepFolder(step)}/";
            var problem = await TryDownloadAsync(prefix, folder, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                return new RestoredCheckpoint(step, $"{StorageLayout.CheckpointsContainer}/{prefix}", folder);
            }

            TrainingLog.CheckpointUnusable(logger, $"{StorageLayout.CheckpointsContainer}/{prefix}", problem);
        }

        return null;
    }

    /// <summary>Downloads and verifies one checkpoint; returns what is wrong with it, or null.</summary>
    private async Task<string?> TryDownloadAsync(string prefix, string folder, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        CheckpointManifest? manifest;
        try
        {
            var content = await Container.GetBlobClient(prefix + CheckpointFiles.Manifest).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(content.Value.Content.ToString(), CheckpointManifest.JsonOptions);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return "manifest.json is missing (incomplete write)";
        }
        catch (JsonException e)
        {
            return $"manifest.json is not valid: {e.Message}";
        }

        if (manifest is null || manifest.Files.Count == 0)
        {
            return "manifest.json lists no files";
        }

        foreach (var entry in manifest.Files)
        {
            var path = Path.Combine(folder, Path.GetFileName(entry.Name));
            try
            {
                await Container.GetBlobClient(prefix + entry.Name).DownloadToAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return $"{entry.Name} is missing";
            }

            string hash;
            using (var stream = File.OpenRead(path))
            {
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }

            if (!string.Equals(hash, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return $"{entry.Name} has SHA-256 {hash[..12]}…, the manifest says {entry.Sha256[..Math.Min(12, entry.Sha256.Length)]}… (corrupt)";
            }
        }

        return null;
    }

    private async Task<List<long>> ListStepsAsync(string jobId, CancellationToken cancellationToken)
    {
        var steps = new List<long>();
        await foreach (var item in Container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", $"{jobId}/step-", cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix && long.TryParse(item.Prefix.AsSpan($"{jobId}/step-".Length).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private async Task PruneAsync(string jobId, long current, int keep, CancellationToken cancellationToken)
    {
        var old = (await ListStepsAsync(jobId, cancellationToken).ConfigureAwait(false)).Where(s => s <= current).OrderDescending().Skip(keep).ToList();
        foreach (var step in old)
        {
            var prefix = $"{jobId}/{CheckpointFiles.StepFolder(step)}/";
            // The manifest goes first: a half-deleted folder is then never taken for a complete checkpoint.
            await Container.GetBlobClient(prefix + CheckpointFiles.Manifest).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await foreach (var blob in Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                await Container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (logger.IsEnabled(LogLevel.Information))
            {
                var location = $"{StorageLayout.CheckpointsContainer}/{prefix}";
                TrainingLog.CheckpointDeleted(logger, location);
            }
        }
    }

    private async Task UploadJsonAsync<T>(string name, T value, CancellationToken cancellationToken) =>
        await Container.GetBlobClient(name).UploadAsync(BinaryData.FromString(JsonSerializer.Serialize(value, CheckpointManifest.JsonOptions)), overwrite: true, cancellationToken).ConfigureAwait(false);
}
