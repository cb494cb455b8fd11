using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Pipeline.Vocabulary;
using BertFunctions.Tokenization.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Training.Tests;

/// <summary>
/// One Azurite for the whole test assembly with two real dataset versions made by the real ingestion: "brown" (MLM,
/// 40 Brown documents, a 1,000-token WordPiece vocabulary trained on them, sequences of 64) and "reviews"
/// (classification, 300 short English reviews in two classes, same vocabulary).
/// </summary>
public sealed class TrainingFixture : IAsyncLifetime
{
    private AzuriteEmulator? emulator;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public string BrownVersion { get; private set; } = "";

    public string ReviewsVersion { get; private set; } = "";

    /// <summary>The Brown documents again with 3 static masking copies per sequence, masked by whole words.</summary>
    public string BrownCopiesVersion { get; private set; } = "";

    public string VocabularyBlob { get; private set; } = "";

    /// <summary>A tiny BERT: hidden 32, 2 layers, 2 heads, FFN 64, 64 positions.</summary>
    public static JsonElement TinyConfig { get; } = JsonDocument.Parse("""
        {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64}
        """).RootElement.Clone();

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        emulator = await AzuriteEmulator.StartAsync(cancellationToken: ct);
        Blobs = new BlobServiceClient(emulator.ConnectionString);
        var steps = new IngestionSteps(Blobs, NullLogger<IngestionSteps>.Instance);
        await steps.EnsureContainersAsync(ct);
        var uploads = Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        foreach (var document in BrownCorpus.ReadAll(CorpusLocator.Brown()).Take(40))
        {
            await uploads.GetBlobClient($"raw/brown/{document.Name}.txt").UploadAsync(BinaryData.FromString(document.Text), overwrite: true, ct);
        }

        var vocabulary = await new VocabularyTraining(Blobs).TrainAsync("brown", new IngestionOptions(), new WordPieceTrainerOptions { VocabularySize = 1000 }, ct);
        VocabularyBlob = vocabulary.Blob;
        var runner = new LocalIngestionRunner(steps, TimeProvider.System);
        var brown = await runner.RunAsync(new IngestionRequest
        {
            Dataset = "brown",
            Kind = DatasetKind.Pretraining,
            Vocabulary = vocabulary.Blob,
            Pretraining = new PretrainingOptions { MaxSeqLen = 64, DupeFactor = 1 },
        }, null, ct);
        BrownVersion = brown.Version;
        BrownCopiesVersion = (await runner.RunAsync(new IngestionRequest
        {
            Dataset = "brown",
            Kind = DatasetKind.Pretraining,
            Vocabulary = vocabulary.Blob,
            Pretraining = new PretrainingOptions { MaxSeqLen = 64, DupeFactor = 3, Masking = new MaskingOptions { WholeWordMasking = true } },
        }, null, ct)).Version;

        await uploads.GetBlobClient("labeled/reviews/reviews.jsonl").UploadAsync(BinaryData.FromString(Reviews(300)), overwrite: true, ct);
        var reviews = await runner.RunAsync(new IngestionRequest
        {
            Dataset = "reviews",
            Kind = DatasetKind.Classification,
            Vocabulary = vocabulary.Blob,
            Reading = new IngestionOptions { Labeled = true },
            Classification = new ClassificationOptions { MaxSeqLen = 64 },
        }, null, ct);
        ReviewsVersion = reviews.Version;
    }

    public async ValueTask DisposeAsync()
    {
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }

    /// <summary>A runner over this Azurite.</summary>
    public TrainingJobRunner Runner(CapturingLoggerFactory? logs = null, TrainingRunnerOptions? options = null) =>
        TrainingJobRunner.Create(Blobs, logs ?? new CapturingLoggerFactory(), options: options ?? new TrainingRunnerOptions { ProgressInterval = TimeSpan.Zero });

    /// <summary>An MLM job from random init on brown.</summary>
    public TrainingJobSpec MlmSpec(string jobId, Hyperparameters hyperparameters) => new()
    {
        JobId = jobId,
        Mode = JobMode.Mlm,
        Base = ModelBase.None,
        Config = TinyConfig,
        Dataset = new DatasetReference("brown", BrownVersion),
        Hyperparameters = hyperparameters,
        Seed = 7,
    };

    /// <summary>Blob names under a prefix of the checkpoints container.</summary>
    public async Task<List<string>> CheckpointBlobsAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, default))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>
    /// Reviews in two classes whose words (from small lists of real English words, varied by index) carry the label;
    /// a few neutral sentences make the text less trivial.
    /// </summary>
    private static string Reviews(int n)
    {
        string[] good = ["excellent", "wonderful", "pleasant", "happy", "beautiful", "good", "fine", "great"];
        string[] bad = ["terrible", "awful", "poor", "broken", "sad", "bad", "worse", "angry"];
        string[] things = ["house", "book", "car", "church", "city", "school", "music", "road"];
        var rows = new System.Text.StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var positive = i % 2 == 0;
            var words = positive ? good : bad;
            var text = $"the {things[i % things.Length]} was {words[i % words.Length]} and the {things[(i / 3) % things.Length]} felt {words[(i / 5) % words.Length]} after {i % 17} days .";
            rows.AppendLine(JsonSerializer.Serialize(new { text, label = positive ? "positive" : "negative" }));
        }

        return rows.ToString();
    }
}
