using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The step that ends a run early: the same inputs (found by planning) or the same content (found by consolidation)
/// were ingested before, so the run records its fingerprint against the existing version and returns it.
/// </summary>
public sealed class ReuseVersionStep(BlobServiceClient blobs)
{
    /// <summary>Records that the inputs of <paramref name="plan"/> produced <paramref name="version"/>, and returns that version.</summary>
    public async Task<IngestionResult> RunAsync(IngestionPlan plan, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await new FingerprintIndex(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer))
            .RecordAsync(plan.Dataset, plan.Fingerprint, version, cancellationToken).ConfigureAwait(false);
        var manifest = await new DatasetManifestQueries(blobs).ReadAsync(plan.Dataset, version, cancellationToken).ConfigureAwait(false);
        return new IngestionResult(plan.Dataset, version, Reused: true, manifest);
    }
}
