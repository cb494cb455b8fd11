using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The fan-out step after planning: reads and cleans one work unit. Its documents go to the run's work files, its
/// rejects to the unit's quarantine list, and whole rejected files (small ones) are copied to quarantine.
/// </summary>
public sealed class ReadUnitStep(BlobServiceClient blobs)
{
    /// <summary>Files up to this size are copied to quarantine; larger ones are referenced where they were uploaded.</summary>
    private const long MaxQuarantineCopyBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Entries a work unit lists in the quarantine report; past it, rejects are counted (by reason, in the manifest)
    /// but not listed. A hostile input of tens of millions of bad lines must not become gigabytes of report.
    /// </summary>
    public const int MaxQuarantineEntriesPerUnit = 10_000;

    private static readonly JsonSerializerOptions QuarantineJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private BlobContainerClient Uploads => blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);

    /// <summary>Reads unit <paramref name="unit"/> of run <paramref name="run"/>.</summary>
    public async Task<UnitReadResult> RunAsync(IngestionRequest request, string run, WorkUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(unit);
        var files = new RunWorkFiles(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer), request.Dataset, run);
        var reader = new DocumentReader(request.Reading);
        var statistics = new ReadStatistics();
        // Rejects go to a local file as they come, not to a list: 64 MiB of bad one-byte lines is tens of millions
        // of entries, which a list would hold until the unit ends. Only whole-file rejects (one per input at most)
        // are remembered, to copy those files to quarantine.
        var wholeFiles = new Dictionary<string, QuarantineEntry>(StringComparer.Ordinal);
        var temp = RunWorkFiles.TempFile();
        var rejects = RunWorkFiles.TempFile();
        try
        {
            await using (var file = File.Create(temp))
            await using (var quarantine = new StreamWriter(File.Create(rejects), new UTF8Encoding(false)))
            {
                await UnitDocumentFile.WriteAsync(file, ReadDocumentsAsync(quarantine), cancellationToken).ConfigureAwait(false);
            }

            await files.Unit(unit.Index, "docs.jsonl.gz").UploadAsync(temp, overwrite: true, cancellationToken).ConfigureAwait(false);
            await files.Unit(unit.Index, "quarantine.jsonl").UploadAsync(rejects, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
            File.Delete(rejects);
        }

        foreach (var input in unit.Inputs)
        {
            await CopyQuarantinedFileAsync(request, run, input, wholeFiles.GetValueOrDefault(input.BlobName), cancellationToken).ConfigureAwait(false);
        }

        var result = new UnitReadResult(
            unit.Index,
            statistics.Documents,
            statistics.Quarantined,
            statistics.Bytes,
            statistics.InvalidBytesReplaced,
            statistics.SkippedAttachments,
            new SortedDictionary<string, int>(statistics.DocumentsByLabel.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, int>(statistics.QuarantinedByReason.ToDictionary(), StringComparer.Ordinal));
        await RunWorkFiles.WriteJsonAsync(files.Unit(unit.Index, "read.json"), result, cancellationToken).ConfigureAwait(false);
        return result;

        async IAsyncEnumerable<UnitDocument> ReadDocumentsAsync(StreamWriter quarantine)
        {
            var listed = 0;
            await foreach (var (input, content) in UnitInputPrefetcher.OpenAsync(Uploads, unit.Inputs, cancellationToken).ConfigureAwait(false))
            {
                await using (content.ConfigureAwait(false))
                {
                    await foreach (var item in reader.ReadAsync(input.RelativePath, content, statistics, input.Range, cancellationToken).ConfigureAwait(false))
                    {
                        switch (item)
                        {
                            case ReadItem.Document { Value: var document }:
                                yield return new UnitDocument(DocumentHash.Of(document.Text), document.Label, document.Text, input.BlobName, document.Locator);
                                break;
                            case ReadItem.Quarantined { Value: var entry }:
                                var placed = entry with { Source = input.BlobName };
                                if (listed++ < MaxQuarantineEntriesPerUnit)
                                {
                                    await quarantine.WriteAsync(JsonSerializer.Serialize(placed, QuarantineJson)).ConfigureAwait(false);
                                    await quarantine.WriteAsync('\n').ConfigureAwait(false);
                                }

                                if (placed.Locator.Length == 0)
                                {
                                    wholeFiles.TryAdd(input.BlobName, placed);
                                }

                                break;
                        }
                    }
                }
            }
        }
    }

    private async Task CopyQuarantinedFileAsync(IngestionRequest request, string run, UnitInput input, QuarantineEntry? reason, CancellationToken cancellationToken)
    {
        // Only whole files (no locator) are copied, once per file (by the range that starts at byte 0).
        if (reason is null || input.Range is { Start: > 0 } || input.Size > MaxQuarantineCopyBytes)
        {
            return;
        }

        var quarantine = blobs.GetBlobContainerClient(StorageLayout.QuarantineContainer);
        var target = quarantine.GetBlobClient(StorageLayout.QuarantinePrefix(request.Dataset, run) + "files/" + BlobNames.RelativePath(input.RelativePath));
        var content = await Uploads.GetBlobClient(input.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        await target.UploadAsync(content.Value.Content, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["reason"] = reason.Reason, ["source"] = Uri.EscapeDataString(input.BlobName) },
        }, cancellationToken).ConfigureAwait(false);
    }
}
