using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The work files of one ingestion run under <c>datasets/{dataset}/runs/{run}/</c>: what one step leaves for the
/// next, so that every step can run (and repeat) as a separate activity.
/// </summary>
internal sealed class RunWorkFiles(BlobContainerClient datasets, string dataset, string run)
{
    /// <summary>The blob of one unit's work file (<c>units/00042.docs.jsonl.gz</c>, <c>.read.json</c>, ...).</summary>
    public BlobClient Unit(int unit, string suffix) =>
        datasets.GetBlobClient(StorageLayout.RunPrefix(dataset, run) + string.Create(CultureInfo.InvariantCulture, $"units/{unit:D5}.{suffix}"));

    /// <summary>The blob of a run-level work file.</summary>
    public BlobClient Run(string name) => datasets.GetBlobClient(StorageLayout.RunPrefix(dataset, run) + name);

    /// <summary>Writes a value as JSON.</summary>
    public static Task WriteJsonAsync<T>(BlobClient blob, T value, CancellationToken cancellationToken) =>
        JsonBlobs.WriteAsync(blob.GetParentBlobContainerClient(), blob.Name, value, JsonSerializerOptions.Default, cancellationToken);

    /// <summary>What every unit's read step recorded, in unit order; an <see cref="IngestionException"/> names a unit not read yet.</summary>
    public async Task<List<UnitReadResult>> ReadUnitResultsAsync(IngestionPlan plan, CancellationToken cancellationToken)
    {
        var results = new List<UnitReadResult>();
        foreach (var unit in plan.Units)
        {
            var blob = Unit(unit.Index, "read.json");
            results.Add(await JsonBlobs.TryReadAsync<UnitReadResult>(datasets, blob.Name, JsonSerializerOptions.Default, cancellationToken).ConfigureAwait(false)
                ?? throw new IngestionException($"work unit {unit.Index} of run {plan.Run} has not been read"));
        }

        return results;
    }

    /// <summary>A fresh local temporary file name (the caller deletes it).</summary>
    public static string TempFile() => Path.Combine(Path.GetTempPath(), "bertfn-" + Guid.NewGuid().ToString("N"));
}
