using BertFunctions.Contracts.Training;

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

    [Fact]
    public async Task A_frozen_encoder_ends_the_job_exactly_as_it_started_and_only_the_head_learns()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mlm = await fixture.Runner().RunAsync(fixture.MlmSpec("frozen-mlm", new Hyperparameters { MaxSteps = 2, BatchSize = 8, Threads = 2, Device = "cpu" }), new EventRecorder(), ct);
        Assert.True(mlm.Succeeded, mlm.Error);
        var spec = Classify("frozen-head", new ModelBase(ModelBaseKind.Checkpoint, "frozen-mlm"));
        spec = spec with { Hyperparameters = spec.Hyperparameters with { MaxSteps = 20, LearningRate = 1e-2, FreezeEncoder = true } };

        using var frozen = await fixture.Runner().RunAsync(spec, new EventRecorder(), ct);

        Assert.True(frozen.Succeeded, frozen.Error);
        var before = mlm.Model!.state_dict();
        var after = frozen.Model!.state_dict();
        var encoder = after.Keys.Where(k => k.StartsWith("bert.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(encoder);
        Assert.All(encoder, k => Assert.True((after[k] - before[k]).abs().max().item<float>() == 0, $"{k} changed"));
        Assert.True(frozen.LossCurve.TakeLast(5).Average(p => p.Loss) < frozen.LossCurve.Take(5).Average(p => p.Loss), "the head learns");
    }

    [Fact]
    public async Task An_mlm_head_fitted_on_a_frozen_encoder_changes_the_head_only()
    {
        var ct = TestContext.Current.CancellationToken;
        using var base_ = await fixture.Runner().RunAsync(fixture.MlmSpec("head-fit-base", new Hyperparameters { MaxSteps = 2, BatchSize = 8, Threads = 2, Device = "cpu" }), new EventRecorder(), ct);
        Assert.True(base_.Succeeded, base_.Error);
        var spec = fixture.MlmSpec("head-fit", new Hyperparameters { MaxSteps = 6, BatchSize = 8, LearningRate = 1e-2, FreezeEncoder = true, Threads = 2, Device = "cpu" })
            with { Base = new ModelBase(ModelBaseKind.Checkpoint, "head-fit-base"), Config = null };

        using var fitted = await fixture.Runner().RunAsync(spec, new EventRecorder(), ct);

        Assert.True(fitted.Succeeded, fitted.Error);
        var (before, after) = (base_.Model!.state_dict(), fitted.Model!.state_dict());
        double Change(string k) => (after[k] - before[k]).abs().max().item<float>();
        Assert.All(after.Keys.Where(k => k.StartsWith("bert.", StringComparison.Ordinal)), k => Assert.True(Change(k) == 0, $"{k} changed"));
        Assert.True(Change("cls.predictions.transform.dense.weight") > 0, "the head's transform trains");
        Assert.True(Change("cls.predictions.bias") > 0, "the head's bias trains");
    }
}
