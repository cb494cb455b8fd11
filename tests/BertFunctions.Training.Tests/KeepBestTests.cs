using System.Text.Json;
using BertFunctions.Contracts.Training;
using static TorchSharp.torch;

namespace BertFunctions.Training.Tests;

/// <summary>
/// keep_best: a job ends with the weights of its best validation evaluation when its last step is worse, scores test on
/// those, and keeps them across a crash. The last step is spoiled on purpose (the classifier zeroed: every logit 0, a
/// validation loss of ln 2), so the best evaluation is known to be an earlier one.
/// </summary>
public sealed class KeepBestTests(TrainingFixture fixture)
{
    private const long Steps = 60;

    private TrainingJobSpec Spec(string jobId, bool keepBest) => new()
    {
        JobId = jobId,
        Mode = JobMode.Classify,
        Base = ModelBase.None,
        Config = TrainingFixture.TinyConfig,
        Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
        Hyperparameters = new Hyperparameters
        {
            LearningRate = 3e-3,
            BatchSize = 16,
            MaxSteps = Steps,
            EvalEverySteps = 20,
            CheckpointEverySteps = 50,
            KeepBest = keepBest,
            Threads = 2,
            Device = "cpu",
        },
    };

    private TrainingJobRunner SpoilingLastStep() => fixture.Runner(options: new TrainingRunnerOptions
    {
        AfterStep = (step, module) =>
        {
            if (step == Steps)
            {
                using var noGrad = no_grad();
                foreach (var (name, parameter) in module.named_parameters().Where(p => p.name.StartsWith("classifier.", StringComparison.Ordinal)))
                {
                    parameter.zero_();
                }
            }
        },
    });

    [Fact]
    public async Task A_job_whose_last_step_is_worse_ends_with_its_best_validation_weights_and_scores_test_on_them()
    {
        var ct = TestContext.Current.CancellationToken;
        using var kept = await SpoilingLastStep().RunAsync(Spec("keep-best-on", keepBest: true), new EventRecorder(), ct);
        using var last = await SpoilingLastStep().RunAsync(Spec("keep-best-off", keepBest: false), new EventRecorder(), ct);
        Assert.True(kept.Succeeded && last.Succeeded, kept.Error ?? last.Error);

        // Without keep_best the job ends with the spoiled classifier: every logit 0.
        Assert.Equal(Math.Log(2), last.Metrics["validation.loss"], 4);

        // With it, the job ends with the best evaluation's weights: the same validation loss as that evaluation.
        var best = kept.Evaluations.MinBy(e => e.Metrics["loss"])!;
        Figures.Report($"keep_best: evaluations {string.Join(", ", kept.Evaluations.Select(e => $"step {e.Step} loss {e.Metrics["loss"]:F4}"))}; kept step {best.Step}; test macro-F1 {kept.Metrics["test.macro_f1"]:F3} against {last.Metrics["test.macro_f1"]:F3} for the last step");
        Assert.True(best.Metrics["loss"] < Math.Log(2) - 0.01, $"the tiny model learned nothing in {best.Step} steps");
        Assert.Equal(best.Metrics["loss"], kept.Metrics["validation.loss"], 5);
        Assert.True(kept.Metrics["test.macro_f1"] > last.Metrics["test.macro_f1"] + 0.1, "test is scored on the kept weights");
        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(kept.MetricsFile!, ct));
        Assert.Equal(best.Step, metrics.RootElement.GetProperty("selected_step").GetInt64());
        Assert.Equal(Steps, kept.Steps);
    }

    [Fact]
    public async Task The_best_weights_survive_a_crash_between_the_best_evaluation_and_the_end()
    {
        var ct = TestContext.Current.CancellationToken;
        using var straight = await SpoilingLastStep().RunAsync(Spec("keep-best-straight", keepBest: true), new EventRecorder(), ct);

        // Crash right after the checkpoint of step 50, which is past the best evaluation (step 20 or 40).
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var spec = Spec("keep-best-crashing", keepBest: true);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SpoilingLastStep().RunAsync(spec, new EventRecorder(e =>
        {
            if (e.Kind == TrainingEventKind.Checkpoint)
            {
                crash.Cancel();
            }
        }), crash.Token));
        using var resumed = await SpoilingLastStep().RunAsync(spec, new EventRecorder(), ct);

        Assert.True(straight.Succeeded && resumed.Succeeded, straight.Error ?? resumed.Error);
        Assert.True(straight.Metrics["validation.loss"] < Math.Log(2) - 0.01, "the straight run kept an earlier step");
        Assert.Equal(straight.Metrics["validation.loss"], resumed.Metrics["validation.loss"], 5);
        Assert.Equal(straight.Metrics["test.macro_f1"], resumed.Metrics["test.macro_f1"], 5);
    }
}
