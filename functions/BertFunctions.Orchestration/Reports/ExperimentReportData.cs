using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Reports;

/// <summary>What an experiment's report shows: the recorded result and every job's curves.</summary>
public sealed record ExperimentReportData(ExperimentResult Result, IReadOnlyDictionary<string, ArmCurve> Curves)
{
    /// <summary>
    /// Reads <c>runs/{id}/experiment.json</c> and the metrics.json of every arm's and pretraining job's final checkpoint.
    /// A job whose metrics.json is gone (checkpoints deleted) gets no curve; the report says so rather than failing.
    /// </summary>
    public static async Task<ExperimentReportData?> LoadAsync(BlobServiceClient blobs, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var result = await JsonBlobs.TryReadAsync<ExperimentResult>(blobs.GetBlobContainerClient(StorageLayout.RunsContainer), StorageLayout.ExperimentRecord(id), RunRecord.JsonOptions, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        var checkpoints = blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        var jobs = result.Arms.Select(a => (a.JobId, a.Checkpoint)).Concat((result.Pretraining ?? []).Select(p => (p.JobId, p.Checkpoint)));
        var curves = new Dictionary<string, ArmCurve>(StringComparer.Ordinal);
        foreach (var (jobId, checkpoint) in jobs)
        {
            curves[jobId] = checkpoint is null ? ArmCurve.Empty(jobId) : await ReadCurveAsync(checkpoints, jobId, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        return new ExperimentReportData(result, curves);
    }

    private static async Task<ArmCurve> ReadCurveAsync(BlobContainerClient checkpoints, string jobId, string checkpoint, CancellationToken cancellationToken)
    {
        // The trainer reports checkpoints as "checkpoints/{job}/step-N/".
        var folder = checkpoint.StartsWith(StorageLayout.CheckpointsContainer + "/", StringComparison.Ordinal) ? checkpoint[(StorageLayout.CheckpointsContainer.Length + 1)..] : checkpoint;
        JsonNode? metrics;
        try
        {
            var content = await checkpoints.GetBlobClient(folder.TrimEnd('/') + "/metrics.json").DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            metrics = JsonNode.Parse(content.Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return ArmCurve.Empty(jobId);
        }

        var loss = (metrics?["loss_curve"]?.AsArray() ?? [])
            .Select(p => (p!["step"]!.GetValue<double>(), p["loss"]!.GetValue<double>()))
            .ToList();
        var validation = (metrics?["evaluations"]?.AsArray() ?? [])
            .Select(e => (e!["step"]!.GetValue<double>(), (IReadOnlyDictionary<string, double>)(e["metrics"]?.AsObject() ?? [])
                .Where(m => m.Value is JsonValue)
                .ToDictionary(m => m.Key, m => m.Value!.GetValue<double>(), StringComparer.Ordinal)))
            .ToList();
        return new ArmCurve(jobId, loss, validation);
    }
}
