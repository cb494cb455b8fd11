using System.Globalization;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The fan-out step after consolidation: tokenizes one unit's kept documents and writes its shards for each split
/// (and, for classification, its cleaned texts).
/// </summary>
public sealed class BuildUnitShardsStep(BlobServiceClient blobs)
{
    /// <summary>Pretraining documents are tokenized in batches of at most this many documents...</summary>
    private const int TokenizeBatchDocuments = 4096;

    /// <summary>...or this many characters of text.</summary>
    private const long TokenizeBatchChars = 8L * 1024 * 1024;

    private BlobContainerClient Datasets => blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    /// <summary>Builds the shards of <paramref name="unit"/> into the version <paramref name="consolidation"/> derived.</summary>
    public async Task<UnitShardResult> RunAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, ConsolidationResult consolidation, WorkUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(consolidation);
        ArgumentNullException.ThrowIfNull(unit);
        var tokens = vocabulary.Tokens;
        var files = new RunWorkFiles(Datasets, plan.Dataset, plan.Run);
        var assignment = (await files.Unit(unit.Index, "assign.bin").DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();

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
                tokenized[i] = TokenizedDocument.FromText(tokens.Tokenizer, batch[i].Text));
            for (var i = 0; i < batch.Count; i++)
            {
                tokenizedBySplit[batch[i].Split].Add(tokenized[i]);
            }

            batch.Clear();
            batchChars = 0;
        }

        var position = 0;
        await using (var stream = await files.Unit(unit.Index, "docs.jsonl.gz").OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
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
            var stats = new ShardStatistics(tokens, maxSeqLen);
            var header = tokens.ShardHeader(request.Kind == DatasetKind.Pretraining ? ShardKind.Pretraining : ShardKind.Classification, maxSeqLen);
            var folder = Path.Combine(Path.GetTempPath(), "bertfn-shards-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                using (var writer = new ShardSetWriter(header, name => File.Create(Path.Combine(folder, name)), stats, request.MaxShardBytes))
                {
                    writer.WriteAll(Examples(request, tokens, consolidation, documents, tokenizedBySplit[split], unit.Index, cancellationToken));
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
        await RunWorkFiles.WriteJsonAsync(files.Unit(unit.Index, "shards.json"), result, cancellationToken).ConfigureAwait(false);
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
        var temp = RunWorkFiles.TempFile();
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
}
