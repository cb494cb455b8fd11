using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Pipeline.Vocabulary;
using BertFunctions.Tokenization.Training;

namespace BertFunctions.Pipeline.Tests;

public sealed class VocabularyTrainingTests
{
    [Fact]
    public async Task A_domain_vocabulary_trained_on_the_uploads_tokenizes_the_dataset_it_was_trained_for()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        foreach (var document in BrownCorpus.ReadAll(CorpusLocator.Brown()).Take(100))
        {
            await azurite.UploadAsync($"raw/brown/{document.Name}.txt", document.Text);
        }

        await azurite.Steps().EnsureContainersAsync(ct);
        var vocabulary = await new VocabularyTraining(azurite.Blobs).TrainAsync("brown", new IngestionOptions(), new WordPieceTrainerOptions { VocabularySize = 5000 }, ct);

        Assert.Equal(5000, vocabulary.Size);
        Assert.StartsWith("brown/vocab/", vocabulary.Blob, StringComparison.Ordinal);
        Assert.True(vocabulary.Words > 200_000, $"{vocabulary.Words} words counted");

        // Ingest with it: the shards record the new vocabulary and almost nothing is [UNK].
        var result = await azurite.Runner().RunAsync(new IngestionRequest { Dataset = "brown", Kind = DatasetKind.Pretraining, Vocabulary = vocabulary.Blob, Pretraining = new PretrainingOptions { DupeFactor = 1 } }, null, ct);
        Assert.Equal(5000, result.Manifest.VocabularySize);
        Assert.True(result.Manifest.Splits[Splits.Train].UnkRate < 0.001, $"[UNK] rate {result.Manifest.Splits[Splits.Train].UnkRate:P3}");
        var stored = (await azurite.Datasets.GetBlobClient(StorageLayout.VersionPrefix("brown", result.Version) + "vocab.txt").DownloadContentAsync(ct)).Value.Content.ToArray();
        var trained = (await azurite.Datasets.GetBlobClient(vocabulary.Blob).DownloadContentAsync(ct)).Value.Content.ToArray();
        Assert.Equal(trained, stored);
    }

    [Fact]
    public async Task With_split_ratios_only_the_training_split_is_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await azurite.Steps().EnsureContainersAsync(ct);
        // 20 emails per label, each with a word of its own ("zqaa" ... "zqbn") said 30 times: frequent enough to
        // become a token of its own wherever it is counted. Stratified 80/10/10 puts 16 of each label in training.
        for (var i = 0; i < 40; i++)
        {
            var word = $"zq{(char)('a' + (i / 26))}{(char)('a' + (i % 26))}";
            await azurite.UploadAsync($"labeled/own/{(i < 20 ? "ham" : "spam")}/{i:D2}.txt", "Hello there, this is a note. " + string.Join(' ', Enumerable.Repeat(word, 30)));
        }

        var reading = new IngestionOptions { Labeled = true, LabelFromFolder = true };
        var options = new WordPieceTrainerOptions { VocabularySize = 1000 };
        var training = new VocabularyTraining(azurite.Blobs);
        var all = await training.TrainAsync("own", StorageLayout.LabeledPrefix("own"), reading, options, ct);
        var trainOnly = await training.TrainAsync("own", StorageLayout.LabeledPrefix("own"), reading, options, ct, trainingSplitOf: new SplitRatios());

        async Task<int> OwnWordsAsync(VocabularyResult v) =>
            (await azurite.Datasets.GetBlobClient(v.Blob).DownloadContentAsync(ct)).Value.Content.ToString().Split('\n')
                .Count(t => t.Length == 4 && t.StartsWith("zq", StringComparison.Ordinal));
        Assert.Equal(40, await OwnWordsAsync(all));
        Assert.Equal(32, await OwnWordsAsync(trainOnly)); // the 8 validation and test emails' words are not in it

        // And those 32 are the words of the emails ingestion puts in the training split.
        var ingested = await azurite.Runner().RunAsync(new IngestionRequest { Dataset = "own", Reading = reading }, null, ct);
        Assert.Equal(32, ingested.Manifest.Splits[Splits.Train].Documents);
    }

    [Fact]
    public async Task Training_without_unlabeled_uploads_is_a_clear_error()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await azurite.Steps().EnsureContainersAsync(ct);
        var e = await Assert.ThrowsAsync<IngestionException>(() => new VocabularyTraining(azurite.Blobs).TrainAsync("none", new IngestionOptions(), new WordPieceTrainerOptions(), ct));
        Assert.Contains("has no uploads under uploads/raw/", e.Message, StringComparison.Ordinal);
    }
}
