using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Reports;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Activities;

/// <summary>Where a completed classify job's metrics.json lies: its model package (kept) and its final checkpoint (pruned later), as its completed event names them.</summary>
/// <param name="ModelPackage"><c>models/{name}/{version}/</c>, or null.</param>
/// <param name="Checkpoint"><c>checkpoints/{job}/step-N/</c>, or null.</param>
public sealed record ClassReportSource(string? ModelPackage, string? Checkpoint);

/// <summary>
/// The per-class detail of a completed classify job (<see cref="ClassReports"/>), from the package's metrics.json, else
/// the final checkpoint's; null when neither has it. The completed event carries flat metrics only: it is one queue
/// message, and a matrix of many labels would not fit in it.
/// </summary>
public sealed class ReadClassReportsActivity(BlobServiceClient blobs) : TaskActivity<ClassReportSource, Dictionary<string, ClassReport>?>
{
    public override async Task<Dictionary<string, ClassReport>?> RunAsync(TaskActivityContext context, ClassReportSource input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var folder in (string?[])[input.ModelPackage, input.Checkpoint])
        {
            if (folder?.IndexOf('/', StringComparison.Ordinal) is not (> 0 and var slash))
            {
                continue;
            }

            var blob = blobs.GetBlobContainerClient(folder[..slash]).GetBlobClient(folder[(slash + 1)..].TrimEnd('/') + "/metrics.json");
            try
            {
                var content = await blob.DownloadContentAsync().ConfigureAwait(false);
                if (ClassReports.FromMetricsJson(content.Value.Content.ToString()) is { } reports)
                {
                    return reports;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // not there (a checkpoint already pruned): try the next place
            }
        }

        return null;
    }
}
