using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Tokenization;
using BertFunctions.Tokenization.Training;

namespace BertFunctions.Pipeline.Vocabulary;

/// <summary>A trained domain vocabulary: where it is stored and how big it came out.</summary>
public sealed record VocabularyResult(string Blob, int Size, long Words, int DistinctWords);

/// <summary>
/// Trains a WordPiece vocabulary on a dataset's unlabeled uploads (for pretraining from scratch): reads them with
/// the same reader and cleaning as ingestion, counts pre-tokenized words file by file (counts merge exactly), trains,
/// and stores <c>vocab.txt</c> content-addressed under <c>datasets/{dataset}/vocab/{sha256}/vocab.txt</c>. Ingest with
/// that blob as the vocabulary to tokenize the corpus with it.
/// <para>
/// With split ratios, only the documents ingestion will put in the training split are counted (the same reading,
/// deduplication and stratified assignment, <see cref="SplitAssigner"/>): a vocabulary fitted on validation and test
/// text would carry their words into the model. That costs a first pass over the uploads for the assignment.
/// </para>
/// </summary>
public sealed class VocabularyTraining(BlobServiceClient blobs)
{
    public Task<VocabularyResult> TrainAsync(string dataset, IngestionOptions reading, WordPieceTrainerOptions options, CancellationToken cancellationToken) =>
        TrainAsync(dataset, StorageLayout.RawPrefix(dataset), reading, options, cancellationToken);

    /// <summary>Trains on the uploads under <paramref name="prefix"/> (e.g. the labeled uploads); with <paramref name="trainingSplitOf"/>, on their training split only.</summary>
    public async Task<VocabularyResult> TrainAsync(string dataset, string prefix, IngestionOptions reading, WordPieceTrainerOptions options, CancellationToken cancellationToken, SplitRatios? trainingSplitOf = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(options);
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        var reader = new DocumentReader(reading);
        var trainer = new WordPieceTrainer(options);
        var tokenizer = BertWordPieceTokenizer.FromVocab(new MemoryStream("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"u8.ToArray()), options.Tokenizer);
        var names = new List<string>();
        await foreach (var blob in uploads.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (reader.Accepts(blob.Name[prefix.Length..]))
            {
                names.Add(blob.Name);
            }
        }

        if (names.Count == 0)
        {
            throw new IngestionException($"dataset '{dataset}' has no uploads under {StorageLayout.UploadsContainer}/{prefix} to train a vocabulary on");
        }

        names.Sort(StringComparer.Ordinal);
        var training = trainingSplitOf is null ? null : await TrainingDocumentsAsync(uploads, reader, prefix, names, trainingSplitOf, cancellationToken).ConfigureAwait(false);
        var perFile = new Dictionary<string, long>[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            var content = await uploads.GetBlobClient(names[i]).OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                await foreach (var item in reader.ReadAsync(names[i][prefix.Length..], content, new ReadStatistics(), null, ct).ConfigureAwait(false))
                {
                    if (item is ReadItem.Document { Value: var document } && (training is null || training.Contains(DocumentHash.Of(document.Text))))
                    {
                        tokenizer.CountWords(document.Text, counts);
                    }
                }
            }

            perFile[i] = counts;
        }).ConfigureAwait(false);

        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var counts in perFile)
        {
            foreach (var (word, count) in counts)
            {
                total[word] = total.GetValueOrDefault(word) + count;
            }
        }

        var vocabulary = trainer.Train(total, cancellationToken);
        using var bytes = new MemoryStream();
        vocabulary.WriteVocabTxt(bytes);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()))[..32];
        var name = $"{BlobNames.Dataset(dataset)}/vocab/{hash}/vocab.txt";
        await blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer).GetBlobClient(name)
            .UploadAsync(BinaryData.FromBytes(bytes.ToArray()), overwrite: true, cancellationToken).ConfigureAwait(false);
        return new VocabularyResult(name, vocabulary.Tokens.Count, total.Values.Sum(), total.Count);
    }

    /// <summary>
    /// The content hashes ingestion will assign to the training split: documents in upload-name order, the first
    /// occurrence of each text kept, stratified by label as <see cref="IngestionSteps"/> does. A text that also occurs
    /// in another split is counted once, as ingestion keeps it once.
    /// </summary>
    private static async Task<HashSet<string>> TrainingDocumentsAsync(BlobContainerClient uploads, DocumentReader reader, string prefix, List<string> names, SplitRatios ratios, CancellationToken cancellationToken)
    {
        var perFile = new List<(string Hash, string? Label)>[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var keys = new List<(string Hash, string? Label)>();
            var content = await uploads.GetBlobClient(names[i]).OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                await foreach (var item in reader.ReadAsync(names[i][prefix.Length..], content, new ReadStatistics(), null, ct).ConfigureAwait(false))
                {
                    if (item is ReadItem.Document { Value: var document })
                    {
                        keys.Add((DocumentHash.Of(document.Text), document.Label));
                    }
                }
            }

            perFile[i] = keys;
        }).ConfigureAwait(false);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = perFile.SelectMany(keys => keys).Where(k => seen.Add(k.Hash)).ToList();
        var splits = SplitAssigner.Assign(kept, ratios);
        return [.. kept.Where((_, i) => splits[i] == Splits.Train).Select(k => k.Hash)];
    }
}
