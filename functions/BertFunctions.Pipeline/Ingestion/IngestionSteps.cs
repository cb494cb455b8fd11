using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The steps of ingestion, each idempotent and safe to repeat, so that a Durable orchestration can run them as
/// activities (fanning out over work units) and the local runner can call them in a loop:
/// <see cref="PlanAsync"/> → <see cref="ReadUnitAsync"/> per unit → <see cref="ConsolidateAsync"/> →
/// <see cref="BuildUnitShardsAsync"/> per unit → <see cref="FinalizeAsync"/>.
/// All state lives in blobs under <c>datasets/{dataset}/runs/{run}/</c> and <c>datasets/{dataset}/versions/</c>.
/// </summary>
public sealed partial class IngestionSteps(BlobServiceClient blobs, ILogger<IngestionSteps> logger)
{
    /// <summary>Bumped when the bytes a version holds change for the same inputs and configuration.</summary>
    private const string PipelineFormat = "bertfn-ingestion-2"; // 2: classification versions keep their texts

    /// <summary>Pretraining documents are tokenized in batches of at most this many documents...</summary>
    private const int TokenizeBatchDocuments = 4096;

    /// <summary>...or this many characters of text.</summary>
    private const long TokenizeBatchChars = 8L * 1024 * 1024;

    /// <summary>Files up to this size are copied to quarantine; larger ones are referenced where they were uploaded.</summary>
    private const long MaxQuarantineCopyBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Entries a work unit lists in the quarantine report; past it, rejects are counted (by reason, in the manifest)
    /// but not listed. A hostile input of tens of millions of bad lines must not become gigabytes of report.
    /// </summary>
    public const int MaxQuarantineEntriesPerUnit = 10_000;

    private BlobContainerClient Uploads => blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);

    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    private BlobContainerClient Quarantine => blobs.GetBlobContainerClient(StorageLayout.QuarantineContainer);

    /// <summary>Creates the containers the pipeline uses (no public access).</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken)
    {
        foreach (var name in StorageLayout.AllContainers)
        {
            await blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists the inputs, cuts them into work units and looks up whether these exact inputs were ingested before.</summary>
    public async Task<IngestionPlan> PlanAsync(IngestionRequest request, string run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        BlobNames.Version(run);
        var reader = new DocumentReader(request.Reading);
        var inputs = new List<BlobItem>();
        await foreach (var blob in Uploads.GetBlobsAsync(BlobTraits.None, BlobStates.None, request.UploadPrefix, cancellationToken).ConfigureAwait(false))
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
            if (size > request.WorkUnitBytes && size <= request.Reading.MaxFileBytes && IsSplittable(relative, request.Reading))
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

        var vocabulary = await LoadVocabularyBytesAsync(request, cancellationToken).ConfigureAwait(false);
        var fingerprint = Hash(
            PipelineFormat,
            ConfigJson(request),
            Convert.ToHexStringLower(SHA256.HashData(vocabulary)),
            string.Join('\n', inputs.Select(b => $"{b.Name}\t{b.Properties.ContentLength}\t{b.Properties.ETag}")));
        var existing = await TryReadJsonAsync<FingerprintEntry>(Datasets, StorageLayout.FingerprintIndex(request.Dataset, fingerprint), cancellationToken).ConfigureAwait(false);
        string? existingVersion = null;
        if (existing is not null && await Datasets.GetBlobClient(StorageLayout.Manifest(request.Dataset, existing.Version)).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            existingVersion = existing.Version;
        }

        LogPlanned(units.Count, inputs.Count, request.Dataset, run, existingVersion ?? "none");
        return new IngestionPlan(request.Dataset, run, fingerprint, units, existingVersion);
    }

    /// <summary>Reads and cleans one unit: its documents go to the run's work files, its rejects to quarantine.</summary>
    public async Task<UnitReadResult> ReadUnitAsync(IngestionRequest request, string run, WorkUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(unit);
        var reader = new DocumentReader(request.Reading);
        var statistics = new ReadStatistics();
        // Rejects go to a local file as they come, not to a list: 64 MiB of bad one-byte lines is tens of millions
        // of entries, which a list would hold until the unit ends. Only whole-file rejects (one per input at most)
        // are remembered, to copy those files to quarantine.
        var wholeFiles = new Dictionary<string, QuarantineEntry>(StringComparer.Ordinal);
        var temp = TempFile();
        var rejects = TempFile();
        try
        {
            await using (var file = File.Create(temp))
            await using (var quarantine = new StreamWriter(File.Create(rejects), new UTF8Encoding(false)))
            {
                await UnitDocumentFile.WriteAsync(file, ReadDocumentsAsync(quarantine), cancellationToken).ConfigureAwait(false);
            }

            await Datasets.GetBlobClient(UnitFile(request.Dataset, run, unit.Index, "docs.jsonl.gz")).UploadAsync(temp, overwrite: true, cancellationToken).ConfigureAwait(false);
            await Datasets.GetBlobClient(UnitFile(request.Dataset, run, unit.Index, "quarantine.jsonl")).UploadAsync(rejects, overwrite: true, cancellationToken).ConfigureAwait(false);
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
        await WriteJsonAsync(Datasets, UnitFile(request.Dataset, run, unit.Index, "read.json"), result, cancellationToken).ConfigureAwait(false);
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
                                    await quarantine.WriteAsync(JsonSerializer.Serialize(placed, ManifestJson)).ConfigureAwait(false);
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

    /// <summary>
    /// Removes exact duplicates across the whole dataset (the first occurrence in unit order wins), splits, discovers
    /// the labels and derives the content-addressed version. Writes each unit's assignment.
    /// </summary>
    public async Task<ConsolidationResult> ConsolidateAsync(IngestionRequest request, IngestionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<(int Unit, int Position, string Hash, string? Label)>();
        var duplicates = 0;
        var counts = new int[plan.Units.Count];

        // The units' keys are read in parallel (decompressing and scanning is the work); deduplication then walks
        // them in unit order, so the first occurrence in unit order still wins.
        var keys = new List<(string Hash, string? Label)>[plan.Units.Count];
        await Parallel.ForEachAsync(plan.Units, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (unit, ct) =>
        {
            var blob = Datasets.GetBlobClient(UnitFile(plan.Dataset, plan.Run, unit.Index, "docs.jsonl.gz"));
            var stream = await blob.OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
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
            var read = await ReadUnitResultsAsync(plan, cancellationToken).ConfigureAwait(false);
            var reasons = read.SelectMany(r => r.QuarantinedByReason).GroupBy(kv => kv.Key).Select(g => $"{g.Key} {g.Sum(kv => kv.Value)}");
            throw new IngestionException(
                $"dataset '{plan.Dataset}' is empty after cleaning: {plan.Units.Count} work units read, {read.Sum(r => r.Quarantined)} items quarantined ({string.Join(", ", reasons)}); see {StorageLayout.DatasetsContainer}/{StorageLayout.RunPrefix(plan.Dataset, plan.Run)}");
        }

        IReadOnlyList<string> labels = [];
        if (request.Kind == DatasetKind.Classification)
        {
            labels = [.. kept.Select(k => k.Label ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            if (labels.Contains(string.Empty))
            {
                throw new IngestionException($"dataset '{plan.Dataset}' has documents without a label; ingest labeled data with labels from a field or from folders");
            }

            if (labels.Count < 2)
            {
                throw new IngestionException($"dataset '{plan.Dataset}' has a single label ('{(labels.Count > 0 ? labels[0] : string.Empty)}'); classification needs at least two");
            }
        }

        // Stratified by label whenever the documents have one: pretraining text read from labeled uploads then lands
        // in the splits of the labeled dataset, document by document (no test document in MLM training).
        var splits = SplitAssigner.Assign([.. kept.Select(k => (k.Hash, k.Label))], request.Split);
        var assignments = counts.Select(c => new byte[c]).ToArray();
        for (var i = 0; i < kept.Count; i++)
        {
            assignments[kept[i].Unit][kept[i].Position] = Splits.Code(splits[i]);
        }

        var vocabulary = await LoadVocabularyBytesAsync(request, cancellationToken).ConfigureAwait(false);
        var version = Hash(
            PipelineFormat,
            ConfigJson(request),
            Convert.ToHexStringLower(SHA256.HashData(vocabulary)),
            string.Join('\n', kept.Select((k, i) => $"{k.Hash}\t{k.Label}\t{splits[i]}")))[..32];

        foreach (var unit in plan.Units)
        {
            await Datasets.GetBlobClient(UnitFile(plan.Dataset, plan.Run, unit.Index, "assign.bin"))
                .UploadAsync(BinaryData.FromBytes(assignments[unit.Index]), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        var exists = await Datasets.GetBlobClient(StorageLayout.Manifest(plan.Dataset, version)).ExistsAsync(cancellationToken).ConfigureAwait(false);
        var bySplit = Splits.All.ToDictionary(s => s, s => splits.Count(x => x == s));
        var result = new ConsolidationResult(version, exists, kept.Count, duplicates, bySplit, labels);
        await WriteJsonAsync(Datasets, StorageLayout.RunPrefix(plan.Dataset, plan.Run) + "consolidation.json", result, cancellationToken).ConfigureAwait(false);
        LogConsolidated(plan.Dataset, kept.Count, duplicates, version, exists);
        return result;
    }

    /// <summary>Tokenizes one unit's kept documents and writes its shards for each split.</summary>
    public async Task<UnitShardResult> BuildUnitShardsAsync(IngestionRequest request, IngestionPlan plan, ConsolidationResult consolidation, WorkUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(consolidation);
        ArgumentNullException.ThrowIfNull(unit);
        var vocabulary = TokenVocabulary.Load(await LoadVocabularyBytesAsync(request, cancellationToken).ConfigureAwait(false), new Tokenization.BertTokenizerOptions { LowerCase = request.LowerCase });
        var assignment = (await Datasets.GetBlobClient(UnitFile(plan.Dataset, plan.Run, unit.Index, "assign.bin")).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();

        // Classification keeps the documents (the builder tokenizes them); pretraining tokenizes them in batches as
        // they are read and keeps only the ids, so a 64 MiB unit's text is never held whole (it was, twice over, as
        // UTF-16 strings beside the ids). Batches are tokenized in parallel and land in document order.
        var pretraining = request.Kind == DatasetKind.Pretraining;
        var bySplit = Splits.All.ToDictionary(s => s, _ => new List<UnitDocument>());
        var tokenizedBySplit = Splits.All.ToDictionary(s => s, _ => new List<TokenizedDocument>());
        var batch = new List<(string Split, string Text)>();
        long batchChars = 0;
        void TokenizeBatch()
        {
            var tokenized = new TokenizedDocument[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
                tokenized[i] = TokenizedDocument.FromText(vocabulary.Tokenizer, batch[i].Text));
            for (var i = 0; i < batch.Count; i++)
            {
                tokenizedBySplit[batch[i].Split].Add(tokenized[i]);
            }

            batch.Clear();
            batchChars = 0;
        }

        var position = 0;
        var blob = Datasets.GetBlobClient(UnitFile(plan.Dataset, plan.Run, unit.Index, "docs.jsonl.gz"));
        await using (var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await foreach (var document in UnitDocumentFile.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                if (Splits.Name(assignment[position++]) is not { } split)
                {
                    continue;
                }

                if (!pretraining)
                {
                    bySplit[split].Add(document);
                    continue;
                }

                batch.Add((split, document.Text));
                batchChars += document.Text.Length;
                if (batch.Count >= TokenizeBatchDocuments || batchChars >= TokenizeBatchChars)
                {
                    TokenizeBatch();
                }
            }
        }

        TokenizeBatch();
        var shards = new List<string>();
        var texts = new List<string>();
        var statistics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (split, documents) in bySplit)
        {
            var maxSeqLen = request.Kind == DatasetKind.Pretraining ? request.Pretraining.MaxSeqLen : request.Classification.MaxSeqLen;
            var stats = new ShardStatistics(vocabulary, maxSeqLen);
            var header = vocabulary.ShardHeader(request.Kind == DatasetKind.Pretraining ? ShardKind.Pretraining : ShardKind.Classification, maxSeqLen);
            var folder = Path.Combine(Path.GetTempPath(), "bertfn-shards-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                using (var writer = new ShardSetWriter(header, name => File.Create(Path.Combine(folder, name)), stats, request.MaxShardBytes))
                {
                    writer.WriteAll(Examples(request, vocabulary, consolidation, documents, tokenizedBySplit[split], unit.Index, cancellationToken));
                    writer.Complete();
                }

                foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
                {
                    var name = StorageLayout.VersionPrefix(plan.Dataset, consolidation.Version) + string.Create(CultureInfo.InvariantCulture, $"{split}/u{unit.Index:D5}-{Path.GetFileName(file)}");
                    await Datasets.GetBlobClient(name).UploadAsync(file, overwrite: true, cancellationToken).ConfigureAwait(false);
                    shards.Add(name);
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            statistics[split] = stats.ToJson();
            if (!pretraining && documents.Count > 0)
            {
                texts.Add(await WriteTextAsync(StorageLayout.VersionPrefix(plan.Dataset, consolidation.Version), split, unit.Index, documents, cancellationToken).ConfigureAwait(false));
            }
        }

        var result = new UnitShardResult(unit.Index, shards, statistics, texts);
        await WriteJsonAsync(Datasets, UnitFile(plan.Dataset, plan.Run, unit.Index, "shards.json"), result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// A classification unit's cleaned texts of one split, one line per example in the order of its shards' examples
    /// (each document is one example): what a model that reads text rather than token ids trains on, such as the
    /// TF-IDF baseline of an experiment, so that it sees exactly the documents, labels and splits the BERT arms see.
    /// </summary>
    private async Task<string> WriteTextAsync(string versionPrefix, string split, int unit, List<UnitDocument> documents, CancellationToken cancellationToken)
    {
        var name = versionPrefix + StorageLayout.TextFile(split, unit);
        var temp = TempFile();
        try
        {
            await using (var file = File.Create(temp))
            {
                await UnitDocumentFile.WriteAsync(file, documents.ToAsyncEnumerable(), cancellationToken).ConfigureAwait(false);
            }

            await Datasets.GetBlobClient(name).UploadAsync(temp, overwrite: true, cancellationToken).ConfigureAwait(false);
            return name;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Merges the units' statistics and writes manifest.json (last), labels.json, vocab.txt, quarantine.jsonl, stats.png and the fingerprint index.</summary>
    public async Task<IngestionResult> FinalizeAsync(IngestionRequest request, IngestionPlan plan, ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(consolidation);
        ArgumentNullException.ThrowIfNull(shards);
        var prefix = StorageLayout.VersionPrefix(plan.Dataset, consolidation.Version);
        var vocabularyBytes = await LoadVocabularyBytesAsync(request, cancellationToken).ConfigureAwait(false);
        var vocabulary = TokenVocabulary.Load(vocabularyBytes, new Tokenization.BertTokenizerOptions { LowerCase = request.LowerCase });
        var read = await ReadUnitResultsAsync(plan, cancellationToken).ConfigureAwait(false);

        // Quarantine report: every unit's entries, in unit order, streamed through (never all in memory at once).
        await using (var report = await Datasets.GetBlobClient(prefix + "quarantine.jsonl").OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var unit in plan.Units)
            {
                var part = Datasets.GetBlobClient(UnitFile(plan.Dataset, plan.Run, unit.Index, "quarantine.jsonl"));
                await using var stream = await part.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await stream.CopyToAsync(report, cancellationToken).ConfigureAwait(false);
            }
        }

        var quarantined = read.Sum(r => (long)r.Quarantined);
        await Datasets.GetBlobClient(prefix + "vocab.txt").UploadAsync(BinaryData.FromBytes(vocabularyBytes), overwrite: true, cancellationToken).ConfigureAwait(false);
        LabelSet? labels = null;
        if (request.Kind == DatasetKind.Classification)
        {
            labels = LabelSet.FromLabels(consolidation.Labels);
            using var labelsJson = new MemoryStream();
            labels.Write(labelsJson);
            await Datasets.GetBlobClient(prefix + "labels.json").UploadAsync(BinaryData.FromBytes(labelsJson.ToArray()), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        var maxSeqLen = request.Kind == DatasetKind.Pretraining ? request.Pretraining.MaxSeqLen : request.Classification.MaxSeqLen;
        var merged = Splits.All.ToDictionary(s => s, _ => new ShardStatistics(vocabulary, maxSeqLen));
        foreach (var unit in shards)
        {
            foreach (var (split, json) in unit.StatisticsBySplit)
            {
                merged[split].Merge(ShardStatistics.FromJson(json));
            }
        }

        var all = new ShardStatistics(vocabulary, maxSeqLen);
        foreach (var s in merged.Values)
        {
            all.Merge(s);
        }

        var png = StatisticsPlot.Render(all, vocabulary, $"{plan.Dataset} {consolidation.Version[..12]}");
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
            VocabularySha256 = Convert.ToHexStringLower(vocabulary.FileHash),
            VocabularySize = vocabulary.Size,
            MaxSeqLen = maxSeqLen,
            Config = JsonDocument.Parse(ConfigJson(request)).RootElement.Clone(),
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
        await WriteJsonAsync(Datasets, StorageLayout.FingerprintIndex(plan.Dataset, plan.Fingerprint), new FingerprintEntry(consolidation.Version), cancellationToken).ConfigureAwait(false);
        return new IngestionResult(plan.Dataset, consolidation.Version, Reused: false, manifest);
    }

    /// <summary>Records that these inputs produced an existing version (a re-ingest that found identical content).</summary>
    public async Task<IngestionResult> ReuseAsync(IngestionPlan plan, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await WriteJsonAsync(Datasets, StorageLayout.FingerprintIndex(plan.Dataset, plan.Fingerprint), new FingerprintEntry(version), cancellationToken).ConfigureAwait(false);
        return new IngestionResult(plan.Dataset, version, Reused: true, await ReadManifestAsync(plan.Dataset, version, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The newest complete version of a dataset (by its manifest's time), or null when it has none.</summary>
    public async Task<string?> LatestVersionAsync(string dataset, CancellationToken cancellationToken)
    {
        if (!await Datasets.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var prefix = $"{BlobNames.Dataset(dataset)}/versions/";
        (DateTimeOffset When, string Version)? latest = null;
        await foreach (var blob in Datasets.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.Name.EndsWith("/manifest.json", StringComparison.Ordinal) && blob.Properties.LastModified is { } when && (latest is null || when > latest.Value.When))
            {
                latest = (when, blob.Name[prefix.Length..^"/manifest.json".Length]);
            }
        }

        return latest?.Version;
    }

    /// <summary>The manifest of a version.</summary>
    public async Task<DatasetManifest> ReadManifestAsync(string dataset, string version, CancellationToken cancellationToken)
    {
        var blob = Datasets.GetBlobClient(StorageLayout.Manifest(dataset, version));
        try
        {
            return DatasetManifest.FromJson((await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new IngestionException($"dataset '{dataset}' has no version '{version}'");
        }
    }

    /// <summary>The vocabulary the request tokenizes with, as the bytes of its vocab.txt.</summary>
    public async Task<byte[]> LoadVocabularyBytesAsync(IngestionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Vocabulary == IngestionRequest.BundledVocabulary)
        {
            return Pretrained.BundledMiniLm.ReadVocabularyBytes();
        }

        var blob = Datasets.GetBlobClient(BlobNames.RelativePath(request.Vocabulary));
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new IngestionException($"vocabulary '{StorageLayout.DatasetsContainer}/{request.Vocabulary}' not found");
        }
    }

    private async Task<List<UnitReadResult>> ReadUnitResultsAsync(IngestionPlan plan, CancellationToken cancellationToken)
    {
        var results = new List<UnitReadResult>();
        foreach (var unit in plan.Units)
        {
            results.Add(await TryReadJsonAsync<UnitReadResult>(Datasets, UnitFile(plan.Dataset, plan.Run, unit.Index, "read.json"), cancellationToken).ConfigureAwait(false)
                ?? throw new IngestionException($"work unit {unit.Index} of run {plan.Run} has not been read"));
        }

        return results;
    }

    private static IEnumerable<TrainingExample> Examples(IngestionRequest request, TokenVocabulary vocabulary, ConsolidationResult consolidation, List<UnitDocument> documents, List<TokenizedDocument> tokenized, int unit, CancellationToken cancellationToken)
    {
        if (request.Kind == DatasetKind.Pretraining)
        {
            return new PretrainingExampleBuilder(vocabulary, request.Pretraining).Build(tokenized, consolidation.Version, unit);
        }

        var builder = new ClassificationExampleBuilder(vocabulary, LabelSet.FromLabels(consolidation.Labels), request.Classification);
        return documents.Select(d =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return builder.Build(d.Text, d.Label);
        });
    }

    private async Task CopyQuarantinedFileAsync(IngestionRequest request, string run, UnitInput input, QuarantineEntry? reason, CancellationToken cancellationToken)
    {
        // Only whole files (no locator) are copied, once per file (by the range that starts at byte 0).
        if (reason is null || input.Range is { Start: > 0 } || input.Size > MaxQuarantineCopyBytes)
        {
            return;
        }

        var target = Quarantine.GetBlobClient(StorageLayout.QuarantinePrefix(request.Dataset, run) + "files/" + BlobNames.RelativePath(input.RelativePath));
        var content = await Uploads.GetBlobClient(input.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        await target.UploadAsync(content.Value.Content, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["reason"] = reason.Reason, ["source"] = Uri.EscapeDataString(input.BlobName) },
        }, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsSplittable(string name, IngestionOptions options)
    {
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return options.Format switch
        {
            InputFormat.JsonLines => extension != ".gz",
            InputFormat.Text => options.TextMode == TextDocumentMode.BlankLineSeparated && extension != ".gz",
            InputFormat.Auto => extension is ".jsonl" or ".ndjson" || (extension == ".txt" && options.TextMode == TextDocumentMode.BlankLineSeparated),
            _ => false,
        };
    }

    private static string UnitFile(string dataset, string run, int unit, string suffix) =>
        StorageLayout.RunPrefix(dataset, run) + string.Create(CultureInfo.InvariantCulture, $"units/{unit:D5}.{suffix}");

    private static string ConfigJson(IngestionRequest request) => JsonSerializer.Serialize(
        new { kind = request.Kind.ToString(), reading = request.Reading, pretraining = request.Pretraining, classification = request.Classification, split = request.Split, lower_case = request.LowerCase, max_shard_bytes = request.MaxShardBytes },
        ConfigJsonOptions);

    private static readonly JsonSerializerOptions ConfigJsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "bertfn-" + Guid.NewGuid().ToString("N"));

    private static Task WriteJsonAsync<T>(BlobContainerClient container, string name, T value, CancellationToken cancellationToken) =>
        JsonBlobs.WriteAsync(container, name, value, JsonSerializerOptions.Default, cancellationToken);

    private static Task<T?> TryReadJsonAsync<T>(BlobContainerClient container, string name, CancellationToken cancellationToken)
        where T : class =>
        JsonBlobs.TryReadAsync<T>(container, name, JsonSerializerOptions.Default, cancellationToken);

    private static readonly JsonSerializerOptions ManifestJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record FingerprintEntry(string Version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Planned {Units} work units from {Files} files for dataset {Dataset} (run {Run}); existing version: {Version}")]
    private partial void LogPlanned(int units, int files, string dataset, string run, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Dataset}: {Documents} documents ({Duplicates} duplicates removed), version {Version}, already existed: {Exists}")]
    private partial void LogConsolidated(string dataset, int documents, int duplicates, string version, bool exists);
}

/// <summary>A dataset-level problem the user must fix (no inputs, empty after cleaning, a single label).</summary>
public sealed class IngestionException(string message) : Exception(message);
