using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// "Is BERT worth it here?": every training run fits the TF-IDF baseline on its splits and records it beside the model;
/// require_beat_baseline makes the gate ask; imbalanced labels are said and class-weighted by default.
/// </summary>
public sealed class BaselineRunTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static Dictionary<string, double> F1(double validation, double test) =>
        new() { ["validation.macro_f1"] = validation, ["validation.accuracy"] = validation, ["test.macro_f1"] = test, ["test.accuracy"] = test };

    [Fact]
    public async Task A_run_fits_the_baseline_on_the_fine_tunes_split_just_before_it_and_records_its_metrics()
    {
        await fixture.UploadSpamAsync("bl", perLabel: 10);
        var baselineMetrics = F1(0.61, 0.63);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec), baselines: (spec, _) => ScriptedTrainer.Succeed(spec, baselineMetrics));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bl", Seed = 5 });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var jobs = trainer.Received.ToList();
        Assert.Equal([JobMode.Baseline, JobMode.Classify], jobs.Select(j => j.Mode));
        var (baseline, classify) = (jobs[0], jobs[1]);
        Assert.Equal($"{id}-tfidf", baseline.JobId);
        Assert.Equal((classify.Dataset, classify.Seed, ModelBase.None), (baseline.Dataset, baseline.Seed, baseline.Base));
        Assert.Equal(5, baseline.Seed);
        Assert.Null(baseline.Output);

        var outcome = run.ReadOutputAs<RunOutcome>()!;
        Assert.Equal(baseline.JobId, outcome.Baseline!.JobId);
        Assert.Equal(baselineMetrics, outcome.Baseline.Metrics);
        Assert.Null(outcome.Baseline.Error);
        Assert.Equal(0.88, outcome.Metrics!["test.macro_f1"]); // the model's own metrics are unchanged
        Assert.True(outcome.Promoted, outcome.Reason); // not required to beat the baseline: the gate does not mention it
        Assert.DoesNotContain("baseline", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(baselineMetrics, (await Runs.RecordAsync(fixture, id))!.Outcome!.Baseline!.Metrics); // the run record too
    }

    [Fact]
    public async Task Baseline_false_skips_it()
    {
        await fixture.UploadSpamAsync("bl-off", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, TrainingRunRequest.FromJson("""{"dataset": "bl-off", "baseline": false}"""));
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal([JobMode.Classify], trainer.Received.Select(j => j.Mode));
        Assert.Null(run.ReadOutputAs<RunOutcome>()!.Baseline);
    }

    [Fact]
    public async Task Required_a_model_that_does_not_beat_the_baseline_on_validation_is_not_promoted_even_as_the_first()
    {
        await fixture.UploadSpamAsync("bl-gate", perLabel: 10);
        // The model wins on test (0.95 against 0.60) and loses on validation (0.80 against 0.85): validation decides.
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, F1(0.80, 0.95)), baselines: (spec, _) => ScriptedTrainer.Succeed(spec, F1(0.85, 0.60)));

        var refused = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bl-gate", RequireBeatBaseline = true }))).ReadOutputAs<RunOutcome>()!;

        Assert.False(refused.Promoted);
        Assert.Equal("not promoted: did not beat the TF-IDF baseline 0.8000 <= 0.8500 (validation.macro_f1)", refused.Reason);
        Assert.Null(await Runs.LiveAsync(fixture, "bl-gate"));
    }

    [Fact]
    public async Task Required_a_model_that_beats_the_baseline_is_promoted_and_the_reason_says_it_beat_it()
    {
        await fixture.UploadSpamAsync("bl-beat", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, F1(0.81, 0.80)), baselines: (spec, _) => ScriptedTrainer.Succeed(spec, F1(0.74, 0.70)));

        var outcome = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bl-beat", RequireBeatBaseline = true }))).ReadOutputAs<RunOutcome>()!;

        Assert.True(outcome.Promoted, outcome.Reason);
        Assert.EndsWith("; beat the TF-IDF baseline 0.8100 > 0.7400 (validation.macro_f1)", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baseline_that_fails_is_recorded_and_the_run_goes_on_unless_the_gate_needs_it()
    {
        await fixture.UploadSpamAsync("bl-fail", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec), baselines: (spec, _) => ScriptedTrainer.Fail(spec, "dataset has no texts"));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bl-fail" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.Equal(RunStates.Completed, outcome.State);
        Assert.True(outcome.Promoted, outcome.Reason);
        Assert.Null(outcome.Baseline!.Metrics);
        Assert.Contains("dataset has no texts", outcome.Baseline.Error, StringComparison.Ordinal);
        Assert.Equal(fixture.Options.MaxTrainerAttempts, trainer.Received.Count(j => j.Mode == JobMode.Baseline)); // retried as any job

        var required = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bl-fail", Model = "bl-fail-gated", RequireBeatBaseline = true }))).ReadOutputAs<RunOutcome>()!;
        Assert.False(required.Promoted);
        Assert.Equal("not promoted: the TF-IDF baseline has no validation.macro_f1, so beating it cannot be shown (require_beat_baseline)", required.Reason);
    }

    [Fact]
    public async Task Imbalanced_labels_are_said_in_the_status_and_the_record_and_class_weighted_unless_the_request_says()
    {
        await fixture.UploadSpamAsync("imb", perLabel: 4);
        for (var i = 0; i < 24; i++)
        {
            await fixture.UploadAsync($"labeled/imb/ham/note-{i}.txt", $"Team note {i}: the review of item {i * 7} moves to room {i + 3} on day {i % 5}; bring the draft numbered {i * 13}.");
        }

        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "imb" });
        var run = await Runs.WaitAsync(fixture, id);

        var outcome = run.ReadOutputAs<RunOutcome>()!;
        var imbalance = outcome.Imbalance!;
        Assert.Equal(("ham", "spam", false), (imbalance.Largest, imbalance.Smallest, imbalance.Requested));
        Assert.True(imbalance.Ratio >= LabelImbalance.Threshold, imbalance.Note);
        Assert.Equal(imbalance.Note, run.ReadCustomStatusAs<RunStatus>()!.Imbalance); // kept in view until the end
        Assert.Equal(ImbalancePolicy.DefaultClassWeights, Assert.Single(trainer.BertJobs).Hyperparameters.ClassWeights);

        // A request that says no is obeyed, and the record says it was asked for.
        var off = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "imb", FineTuning = TrainingRecipes.DefaultFineTuning with { ClassWeights = false } });
        var kept = (await Runs.WaitAsync(fixture, off)).ReadOutputAs<RunOutcome>()!.Imbalance!;
        Assert.Equal((false, true), (kept.ClassWeights, kept.Requested));
        Assert.False(trainer.BertJobs.Single(j => j.JobId == RunIds.Job(off, RunIds.ClassifyStage)).Hyperparameters.ClassWeights);
    }

    [Fact]
    public async Task Balanced_labels_have_no_imbalance_note_and_no_class_weights()
    {
        await fixture.UploadSpamAsync("bal", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var run = await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "bal" }));

        Assert.Null(run.ReadOutputAs<RunOutcome>()!.Imbalance);
        Assert.Null(run.ReadCustomStatusAs<RunStatus>()!.Imbalance);
        Assert.False(Assert.Single(trainer.BertJobs).Hyperparameters.ClassWeights);
    }
}
