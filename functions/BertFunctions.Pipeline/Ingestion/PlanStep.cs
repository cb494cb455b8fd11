using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The first step: lists a dataset's inputs, cuts them into work units (a large line-based file into byte ranges,
/// small files into batches) and looks up whether these exact inputs were ingested before.
/// </summary>
public sealed partial class PlanStep(BlobServiceClient blobs, ILogger logger)
{
    /// <summary>Plans run <paramref name="run"/> of <paramref name="request"/>, tokenizing with <paramref name="vocabulary"/>.</summary>
    public async Task<IngestionPlan> RunAsync(IngestionRequest request, IngestionVocabulary vocabulary, string run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(vocabulary);
        request.Validate();
        BlobNames.Version(run);
        var reader = new DocumentReader(request.Reading);
        var inputs = new List<BlobItem>();
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await foreach (var blob in uploads.GetBlobsAsync(BlobTraits.None, BlobStates.None, request.UploadPrefix, cancellationToken).ConfigureAwait(false))
        {
            var relative = blob.Name[request.UploadPrefix.Length..];
            if (reader.Accepts(relative))
            {
                inputs.Add(blob);
            }
        }

        if (inputs.Count == 0)
        {
            throw new IngestionException($"dataset '{request.Dataset}' has no input files under {StorageLayout.UploadsContainer}/{request.UploadPrefix} (include: {string.Join(", ", request.Reading.Include)})");
        }

        inputs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var units = CutIntoUnits(request, inputs);
        var fingerprint = DatasetVersionHash.OfInputs(request, vocabulary, inputs);
        var existingVersion = await new FingerprintIndex(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer))
            .FindAsync(request.Dataset, fingerprint, cancellationToken).ConfigureAwait(false);
        LogPlanned(units.Count, inputs.Count, request.Dataset, run, existingVersion ?? "none");
        return new IngestionPlan(request.Dataset, run, fingerprint, units, existingVersion);
    }

    private static List<WorkUnit> CutIntoUnits(IngestionRequest request, List<BlobItem> inputs)
    {
        var units = new List<WorkUnit>();
        var batch = new List<UnitInput>();
        long batchBytes = 0;
        void CloseBatch()
        {
            if (batch.Count > 0)
            {
                units.Add(new WorkUnit(units.Count, [.. batch]));
                batch.Clear();
                batchBytes = 0;
            }
        }

        foreach (var blob in inputs)
        {
            var relative = blob.Name[request.UploadPrefix.Length..];
            var size = blob.Properties.ContentLength ?? 0;
            var etag = blob.Properties.ETag?.ToString() ?? string.Empty;
            if (size > request.WorkUnitBytes && size <= request.Reading.MaxFileBytes && ByteRangeSplitting.ByName(relative, request.Reading))
            {
                // A large line-based file: each byte range is a unit of its own.
                CloseBatch();
                foreach (var range in ByteRange.Split(size, request.WorkUnitBytes))
                {
                    units.Add(new WorkUnit(units.Count, [new UnitInput(blob.Name, relative, size, etag, range)]));
                }

                continue;
            }

            if (batch.Count >= request.FilesPerUnit || (batch.Count > 0 && batchBytes + size > request.WorkUnitBytes))
            {
                CloseBatch();
            }

            batch.Add(new UnitInput(blob.Name, relative, size, etag, null));
            batchBytes += size;
        }

        CloseBatch();
        return units;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Planned {Units} work units from {Files} files for dataset {Dataset} (run {Run}); existing version: {Version}")]
    private partial void LogPlanned(int units, int files, string dataset, string run, string version);
}
