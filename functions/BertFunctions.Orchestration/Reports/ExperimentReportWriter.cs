using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Orchestration.Reports;

/// <summary>Renders and stores an experiment's report: the page and its plots under <c>runs/{id}/report/</c>.</summary>
public static class ExperimentReportWriter
{
    public const string Page = "index.html";

    /// <summary>Writes the report and returns the page's blob name, or null when the experiment has no record.</summary>
    public static async Task<string?> WriteAsync(BlobServiceClient blobs, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var data = await ExperimentReportData.LoadAsync(blobs, id, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return null;
        }

        var plots = ExperimentPlots.Render(data);
        var html = ExperimentReportPage.Render(data, plots);
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        foreach (var (file, png) in plots)
        {
            await UploadAsync(runs, StorageLayout.ExperimentReport(id, file), png, "image/png", cancellationToken).ConfigureAwait(false);
        }

        var page = StorageLayout.ExperimentReport(id, Page);
        await UploadAsync(runs, page, Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", cancellationToken).ConfigureAwait(false);
        return page;
    }

    private static async Task UploadAsync(BlobContainerClient container, string name, byte[] content, string contentType, CancellationToken cancellationToken) =>
        await container.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken).ConfigureAwait(false);
}
