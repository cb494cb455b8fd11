using Azure.Storage.Blobs;
using BertFunctions.Orchestration.Reports;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Activities;

/// <summary>
/// Renders an experiment's report from its record and the jobs' metrics.json, and stores it beside the record:
/// <c>runs/{id}/report/index.html</c> (self-contained) and the plots as PNG. Idempotent: a retry writes the same files.
/// </summary>
public sealed class WriteExperimentReportActivity(BlobServiceClient blobs) : TaskActivity<string, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return await ExperimentReportWriter.WriteAsync(blobs, input, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"experiment {input} has no record to report on");
    }
}
