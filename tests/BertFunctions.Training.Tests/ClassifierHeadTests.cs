using BertFunctions.Training.Contracts;

namespace BertFunctions.Training.Tests;

/// <summary>
/// Every strategy fine-tunes with the same classification head: mean pooling and a fresh classifier. With HF's [CLS]
/// pooler, plain fine-tuning kept MiniLM's pretrained pooler while DAPT and scratch (MLM checkpoints have none) got a
/// random one: a confound between the arms the comparison is about.
/// </summary>
public sealed class ClassifierHeadTests(TrainingFixture fixture)
{
    private TrainingJobSpec Classify(string jobId, ModelBase from, string? pooling = null) => new()
    {
        JobId = jobId,
        Mode = JobMode.Classify,
        Base = from,
        Config = from.Kind == ModelBaseKind.None ? TrainingFixture.TinyConfig : null,
        Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
        Hyperparameters = new Hyperparameters { MaxSteps = 2, BatchSize = 16, Threads = 2, Device = "cpu" } with { ClassifierPooling = pooling ?? "mean" },
    };

    [Fact]
    public async Task From_scratch_and_from_an_mlm_checkpoint_the_head_is_mean_pooled_with_no_pooler()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mlm = await fixture.Runner().RunAsync(fixture.MlmSpec("head-mlm", new Hyperparameters { MaxSteps = 2, BatchSize = 8, Threads = 2, Device = "cpu" }), new EventRecorder(), ct);
        Assert.True(mlm.Succeeded, mlm.Error);

        using var fromCheckpoint = await fixture.Runner().RunAsync(Classify("head-from-mlm", new ModelBase(ModelBaseKind.Checkpoint, "head-mlm")), new EventRecorder(), ct);
        using var fromScratch = await fixture.Runner().RunAsync(Classify("head-from-scratch", ModelBase.None), new EventRecorder(), ct);
        using var withPooler = await fixture.Runner().RunAsync(Classify("head-cls", ModelBase.None, pooling: "cls"), new EventRecorder(), ct);

        foreach (var result in new[] { fromCheckpoint, fromScratch })
        {
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal("mean", result.Config!.ClassifierPooling);
            var names = result.Model!.named_parameters().Select(p => p.name).ToList();
            Assert.DoesNotContain(names, n => n.StartsWith("bert.pooler.", StringComparison.Ordinal));
            Assert.Contains("classifier.weight", names);
        }

        // HF's pooler on [CLS] stays available on request.
        Assert.True(withPooler.Succeeded, withPooler.Error);
        Assert.Contains(withPooler.Model!.named_parameters(), p => p.name == "bert.pooler.dense.weight");
    }
}
