using System.Text.Json;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;

namespace BertFunctions.Training.Tests;

public sealed class BadSpecTests(TrainingFixture fixture)
{
    private async Task<string> FailureOfAsync(TrainingJobSpec spec)
    {
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(spec, events, TestContext.Current.CancellationToken);
        Assert.False(result.Succeeded);
        var failed = Assert.Single(events.Events, e => e.Kind == TrainingEventKind.Failed);
        Assert.DoesNotContain('\n', failed.Error!);
        return failed.Error!;
    }

    private TrainingJobSpec Classify(string jobId, ModelBase modelBase) => new()
    {
        JobId = jobId,
        Mode = JobMode.Classify,
        Base = modelBase,
        Config = TrainingFixture.TinyConfig,
        Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
        Hyperparameters = new Hyperparameters { MaxSteps = 2, BatchSize = 8, Device = "cpu" },
    };

    [Fact]
    public async Task A_missing_dataset_version_fails_clearly()
    {
        var error = await FailureOfAsync(Classify("no-data", ModelBase.None) with { Dataset = new DatasetReference("reviews", "doesnotexist") });
        Assert.Contains("dataset 'reviews' has no version 'doesnotexist'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_tokenized_with_another_vocabulary_than_the_base_model_fails_clearly()
    {
        var error = await FailureOfAsync(Classify("wrong-vocab", ModelBase.MiniLm));
        Assert.Contains("vocabulary mismatch", error, StringComparison.Ordinal);
        Assert.Contains("all-MiniLM-L6-v2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_vocab_size_that_disagrees_with_the_dataset_fails_clearly()
    {
        var config = JsonDocument.Parse("""{"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64, "vocab_size": 30522}""").RootElement;
        var error = await FailureOfAsync(Classify("wrong-size", ModelBase.None) with { Config = config });
        Assert.Contains("vocab_size = 30522 disagrees", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_with_another_label_count_fails_clearly()
    {
        var ct = TestContext.Current.CancellationToken;
        var vocabulary = (await fixture.Blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer).GetBlobClient(fixture.VocabularyBlob).DownloadContentAsync(ct)).Value.Content.ToString();
        var size = vocabulary.TrimEnd('\n').Split('\n').Length;
        var config = new BertConfig { VocabSize = size, HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64, NumLabels = 3 };
        var folder = Path.Combine(Path.GetTempPath(), "bertfn-pkg-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var model = new BertForSequenceClassification(config))
            {
                HfModelDirectory.Save(folder, config, model, vocabulary);
            }

            var models = fixture.Blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
            await models.CreateIfNotExistsAsync(cancellationToken: ct);
            foreach (var file in Directory.GetFiles(folder))
            {
                await models.GetBlobClient("three-way/v1/hf/" + Path.GetFileName(file)).UploadAsync(file, overwrite: true, ct);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var error = await FailureOfAsync(Classify("wrong-labels", new ModelBase(ModelBaseKind.Package, "three-way/v1")));
        Assert.Contains("label count mismatch", error, StringComparison.Ordinal);
        Assert.Contains("classifies 3 labels", error, StringComparison.Ordinal);
    }
}
