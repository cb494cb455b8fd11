using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The last step: merges the units' statistics and writes the version's vocab.txt, labels.json, quarantine report,
/// stats.png and, last of all, its manifest (whose existence marks the version complete), then the fingerprint index.
/// </summary>
public sealed class FinalizeStep(BlobServiceClient blobs)
{
    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    /// <summary>Finalizes the version <paramref name="consolidation"/> derived, from the units' <paramref name="shards"/>; <paramref name="now"/> is its creation time.</summary>
    public async Task<IngestionResult> RunAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(consolidation);
        ArgumentNullException.ThrowIfNull(shards);
        var prefix = StorageLayout.VersionPrefix(plan.Dataset, consolidation.Version);
        var tokens = vocabulary.Tokens;
        var files = new RunWorkFiles(Datasets, plan.Dataset, plan.Run);
        var read = await files.ReadUnitResultsAsync(plan, cancellationToken).ConfigureAwait(false);

        // Quarantine report: every unit's entries, in unit order, streamed through (never all in memory at once).
        await using (var report = await Datasets.GetBlobClient(prefix + "quarantine.jsonl").OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var unit in plan.Units)
            {
                var part = files.Unit(unit.Index, "quarantine.jsonl");
                await using var stream = await part.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await stream.CopyToAsync(report, cancellationToken).ConfigureAwait(false);
            }
        }

        var quarantined = read.Sum(r => (long)r.Quarantined);
        await Datasets.GetBlobClient(prefix + "vocab.txt").UploadAsync(vocabulary.File, overwrite: true, cancellationToken).ConfigureAwait(false);
        LabelSet? labels = null;
        if (request.Kind == DatasetKind.Classification)
        {
            labels = LabelSet.FromLabels(consolidation.Labels);
            using var labelsJson = new MemoryStream();
            labels.Write(labelsJson);
            await Datasets.GetBlobClient(prefix + "labels.json").UploadAsync(BinaryData.FromBytes(labelsJson.ToArray()), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        var maxSeqLen = request.Kind == DatasetKind.Pretraining ? request.Pretraining.MaxSeqLen : request.Classification.MaxSeqLen;
        var merged = Splits.All.ToDictionary(s => s, _ => new ShardStatistics(tokens, maxSeqLen));
        foreach (var unit in shards)
        {
            foreach (var (split, json) in unit.StatisticsBySplit)
            {
                merged[split].Merge(ShardStatistics.FromJson(json));
            }
        }

        var all = new ShardStatistics(tokens, maxSeqLen);
        foreach (var s in merged.Values)
        {
            all.Merge(s);
        }

        var png = StatisticsPlot.Render(all, tokens, $"{plan.Dataset} {consolidation.Version[..12]}");
        await Datasets.GetBlobClient(prefix + "stats.png").UploadAsync(BinaryData.FromBytes(png), overwrite: true, cancellationToken).ConfigureAwait(false);

        var byLabel = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (label, count) in read.SelectMany(r => r.DocumentsByLabel))
        {
            byLabel[label] = byLabel.GetValueOrDefault(label) + count;
        }

        var byReason = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (reason, count) in read.SelectMany(r => r.QuarantinedByReason))
        {
            byReason[reason] = byReason.GetValueOrDefault(reason) + count;
        }

        var inputs = plan.Units.SelectMany(u => u.Inputs).GroupBy(i => i.BlobName).Select(g => new ManifestInput(g.Key, g.First().Size, g.First().ETag)).ToList();
        var manifest = new DatasetManifest
        {
            Dataset = plan.Dataset,
            Version = consolidation.Version,
            Kind = request.Kind.ToString().ToLowerInvariant(),
            CreatedAt = now,
            Run = plan.Run,
            InputFingerprint = plan.Fingerprint,
            Inputs = inputs,
            VocabularySha256 = vocabulary.Sha256,
            VocabularySize = tokens.Size,
            MaxSeqLen = maxSeqLen,
            Config = JsonDocument.Parse(DatasetVersionHash.ConfigJson(request)).RootElement.Clone(),
            Counts = new ManifestCounts(
                inputs.Count,
                read.Sum(r => r.Bytes),
                read.Sum(r => r.Documents),
                consolidation.Duplicates,
                consolidation.Documents,
                checked((int)quarantined),
                read.Sum(r => r.InvalidBytesReplaced),
                read.Sum(r => r.SkippedAttachments),
                byLabel),
            Labels = labels?.Labels,
            Splits = Splits.All.ToDictionary(s => s, s => new ManifestSplit(
                consolidation.DocumentsBySplit.GetValueOrDefault(s),
                merged[s].Sequences,
                merged[s].Tokens,
                merged[s].UnkRate,
                merged[s].LengthBucketWidth,
                merged[s].LengthHistogram,
                labels is null ? null : merged[s].LabelCounts.ToDictionary(kv => labels.LabelOf(kv.Key), kv => kv.Value),
                [.. shards.SelectMany(u => u.Shards).Where(n => n.StartsWith(prefix + s + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)])
            {
                Text = request.Kind == DatasetKind.Classification
                    ? [.. shards.SelectMany(u => u.Texts ?? []).Where(n => n.StartsWith(prefix + StorageLayout.TextFolder(s), StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
                    : null,
            }),
            Quarantine = new ManifestQuarantine(checked((int)quarantined), byReason, prefix + "quarantine.jsonl"),
            Seeds = request.Kind == DatasetKind.Pretraining
                ? $"copy c of the examples of work unit u is masked with Seeds.Derive(\"{consolidation.Version}\", u, c), c < {request.Pretraining.DupeFactor}"
                : null,
        };

        // The manifest is written last: its existence marks the version complete.
        await Datasets.GetBlobClient(StorageLayout.Manifest(plan.Dataset, consolidation.Version))
            .UploadAsync(BinaryData.FromString(manifest.ToJson()), overwrite: true, cancellationToken).ConfigureAwait(false);
        await new FingerprintIndex(Datasets).RecordAsync(plan.Dataset, plan.Fingerprint, consolidation.Version, cancellationToken).ConfigureAwait(false);
        return new IngestionResult(plan.Dataset, consolidation.Version, Reused: false, manifest);
    }
}
