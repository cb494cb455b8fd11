using BertFunctions.Contracts.Training;

namespace BertFunctions.Training.Tests;

/// <summary>
/// The real trainer's <c>evaluate</c> mode, which the champion/challenger gate runs on the live model: it scores a
/// trained model on a dataset version without training it, and its figures are the ones the model's own job measured.
/// </summary>
public sealed class EvaluateModeTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    [Fact]
    public async Task Evaluating_a_trained_classifier_reproduces_its_own_validation_and_test_metrics_without_a_step()
    {
        var ct = TestContext.Current.CancellationToken;
        var train = new TrainingJobSpec
        {
            JobId = "reviews-to-evaluate",
            Mode = JobMode.Classify,
            Base = ModelBase.None,
            Config = TrainingFixture.TinyConfig,
            Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
            Hyperparameters = new Hyperparameters { MaxSteps = 6, BatchSize = 8, EvalEverySteps = 3, CheckpointEverySteps = 6, LearningRate = 1e-3 },
        };
        using var trained = await fixture.Runner().RunAsync(train, new EventRecorder(), ct);
        Assert.True(trained.Succeeded, trained.Error);

        var evaluate = new TrainingJobSpec
        {
            JobId = "reviews-evaluate-it",
            Mode = JobMode.Evaluate,
            Base = new ModelBase(ModelBaseKind.Checkpoint, train.JobId),
            Dataset = train.Dataset,
        };
        var events = new EventRecorder();
        using var evaluated = await fixture.Runner().RunAsync(evaluate, events, ct);

        Assert.True(evaluated.Succeeded, evaluated.Error);
        Assert.Equal(0, evaluated.Steps);
        Assert.DoesNotContain(events.Events, e => e.Step > 0); // no training step
        foreach (var metric in new[] { "validation.accuracy", "validation.macro_f1", "test.accuracy", "test.macro_f1" })
        {
            Assert.Equal(trained.Metrics[metric], evaluated.Metrics[metric], 9);
        }

        Assert.Equal(trained.Metrics["test.loss"], evaluated.Metrics["test.loss"], 4);
    }
}
