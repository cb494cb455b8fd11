using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The fan-in step after reading: removes exact duplicates across the whole dataset (the first occurrence in unit
/// order wins), splits, discovers the labels and derives the content-addressed version. Writes each unit's assignment.
/// </summary>
public sealed partial class ConsolidateStep(BlobServiceClient blobs, ILogger logger)
{
    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    /// <summary>Consolidates the read units of <paramref name="plan"/>.</summary>
    public async Task<ConsolidationResult> RunAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(plan);
        var files = new RunWorkFiles(Datasets, plan.Dataset, plan.Run);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<(int Unit, int Position, string Hash, string? Label)>();
        var duplicates = 0;
        var counts = new int[plan.Units.Count];

        // The units' keys are read in parallel (decompressing and scanning is the work); deduplication then walks
        // them in unit order, so the first occurrence in unit order still wins.
        var keys = new List<(string Hash, string? Label)>[plan.Units.Count];
        await Parallel.ForEachAsync(plan.Units, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (unit, ct) =>
        {
            var stream = await files.Unit(unit.Index, "docs.jsonl.gz").OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                keys[unit.Index] = await UnitDocumentFile.ReadKeysAsync(stream, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        foreach (var unit in plan.Units)
        {
            var position = 0;
            foreach (var (hash, label) in keys[unit.Index])
            {
                if (seen.Add(hash))
                {
                    kept.Add((unit.Index, position, hash, label));
                }
                else
                {
                    duplicates++;
                }

                position++;
            }

            counts[unit.Index] = position;
            keys[unit.Index] = [];
        }

        if (kept.Count == 0)
        {
            var read = await files.ReadUnitResultsAsync(plan, cancellationToken).ConfigureAwait(false);
            var reasons = read.SelectMany(r => r.QuarantinedByReason).GroupBy(kv => kv.Key).Select(g => $"{g.Key} {g.Sum(kv => kv.Value)}");
            throw new IngestionException(
                $"dataset '{plan.Dataset}' is empty after cleaning: {plan.Units.Count} work units read, {read.Sum(r => r.Quarantined)} items quarantined ({string.Join(", ", reasons)}); see {StorageLayout.DatasetsContainer}/{StorageLayout.RunPrefix(plan.Dataset, plan.Run)}");
        }

        var labels = Labels(request, plan, kept);

        // Stratified by label whenever the documents have one: pretraining text read from labeled uploads then lands
        // in the splits of the labeled dataset, document by document (no test document in MLM training).
        var documents = kept.Select(k => (k.Hash, k.Label)).ToList();
        var splits = SplitAssigner.Assign(documents, request.Split);
        var assignments = counts.Select(c => new byte[c]).ToArray();
        for (var i = 0; i < kept.Count; i++)
        {
            assignments[kept[i].Unit][kept[i].Position] = Splits.Code(splits[i]);
        }

        var version = DatasetVersionHash.OfContent(request, vocabulary, documents, splits);
        foreach (var unit in plan.Units)
        {
            await files.Unit(unit.Index, "assign.bin")
                .UploadAsync(BinaryData.FromBytes(assignments[unit.Index]), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        var exists = await Datasets.GetBlobClient(StorageLayout.Manifest(plan.Dataset, version)).ExistsAsync(cancellationToken).ConfigureAwait(false);
        var bySplit = Splits.All.ToDictionary(s => s, s => splits.Count(x => x == s));
        var result = new ConsolidationResult(version, exists, kept.Count, duplicates, bySplit, labels);
        await RunWorkFiles.WriteJsonAsync(files.Run("consolidation.json"), result, cancellationToken).ConfigureAwait(false);
        LogConsolidated(plan.Dataset, kept.Count, duplicates, version, exists);
        return result;
    }

    /// <summary>A classification dataset's labels (sorted), refused unless every document has one, there are two or more, and each has documents enough for every split.</summary>
    private static IReadOnlyList<string> Labels(IngestionRequest request, IngestionPlan plan, List<(int Unit, int Position, string Hash, string? Label)> kept)
    {
        if (request.Kind != DatasetKind.Classification)
        {
            return [];
        }

        IReadOnlyList<string> labels = [.. kept.Select(k => k.Label ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (labels.Contains(string.Empty))
        {
            throw new IngestionException($"dataset '{plan.Dataset}' has documents without a label; ingest labeled data with labels from a field or from folders");
        }

        if (labels.Count < 2)
        {
            throw new IngestionException($"dataset '{plan.Dataset}' has a single label ('{(labels.Count > 0 ? labels[0] : string.Empty)}'); classification needs at least two");
        }

        // Before any shard is built or job trained: a label too small to reach validation and test is refused by name.
        var perLabel = kept.GroupBy(k => k.Label!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (LabelSizes.Problem(plan.Dataset, perLabel, request.Split) is { } problem)
        {
            throw new IngestionException(problem);
        }

        return labels;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Dataset}: {Documents} documents ({Duplicates} duplicates removed), version {Version}, already existed: {Exists}")]
    private partial void LogConsolidated(string dataset, int documents, int duplicates, string version, bool exists);
}
