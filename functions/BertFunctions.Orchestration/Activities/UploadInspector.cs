using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Activities;

/// <summary>What a dataset has uploaded: file counts, a fingerprint of names and ETags, and its settings blob.</summary>
public sealed record UploadsSummary(int LabeledFiles, int RawFiles, string Fingerprint, string? SettingsJson);

/// <summary>
/// Looks at a dataset's uploads. The fingerprint (names, sizes and ETags of everything under
/// <c>labeled/{dataset}/</c>, <c>raw/{dataset}/</c> and the settings blob, completion markers aside) is the content
/// version that run ids derive from: the same uploads give the same run, whatever events announced them, and however
/// often an uploader said it was done.
/// </summary>
public sealed class UploadInspector(BlobServiceClient blobs)
{
    public async Task<UploadsSummary> InspectAsync(string dataset, CancellationToken cancellationToken)
    {
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        if (!await uploads.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return new UploadsSummary(0, 0, "empty", null);
        }

        var lines = new List<string>();
        var labeled = await ListAsync(uploads, StorageLayout.LabeledPrefix(dataset), lines, cancellationToken).ConfigureAwait(false);
        var raw = await ListAsync(uploads, StorageLayout.RawPrefix(dataset), lines, cancellationToken).ConfigureAwait(false);
        string? settings = null;
        var settingsBlob = uploads.GetBlobClient(StorageLayout.DatasetSettings(dataset));
        try
        {
            var content = await settingsBlob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            settings = content.Value.Content.ToString();
            lines.Add($"{settingsBlob.Name}\t{content.Value.Details.ETag}");
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No settings: the defaults.
        }

        lines.Sort(StringComparer.Ordinal);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))))[..32];
        return new UploadsSummary(labeled, raw, fingerprint, settings);
    }

    /// <summary>The request an upload-driven run uses: the dataset's settings blob, else the defaults.</summary>
    public static TrainingRunRequest RequestFor(string dataset, UploadsSummary uploads)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        if (uploads.SettingsJson is null)
        {
            return new TrainingRunRequest { Dataset = dataset };
        }

        // The settings blob is a request without the dataset (the blob's name says which); one with a dataset must agree.
        var node = System.Text.Json.Nodes.JsonNode.Parse(uploads.SettingsJson) as System.Text.Json.Nodes.JsonObject
            ?? throw new RunRequestException($"{StorageLayout.DatasetSettings(dataset)} is not a JSON object");
        node["dataset"] ??= dataset;
        var request = TrainingRunRequest.FromJson(node.ToJsonString());
        return request.Dataset == dataset ? request : throw new RunRequestException($"{StorageLayout.DatasetSettings(dataset)} names another dataset ('{request.Dataset}')");
    }

    private static async Task<int> ListAsync(BlobContainerClient uploads, string prefix, List<string> lines, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var blob in uploads.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (StorageLayout.IsUploadComplete(blob.Name))
            {
                continue;
            }

            lines.Add($"{blob.Name}\t{blob.Properties.ContentLength}\t{blob.Properties.ETag}");
            count++;
        }

        return count;
    }
}
