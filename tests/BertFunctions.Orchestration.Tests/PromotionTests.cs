using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using BertFunctions.Training.Contracts;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Champion/challenger: a candidate replaces the live model only when it beats it on the same validation split.</summary>
public sealed class PromotionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static Dictionary<string, double> F1(double value) => F1(value, value);

    private static Dictionary<string, double> F1(double validation, double test) =>
        new() { ["validation.macro_f1"] = validation, ["validation.accuracy"] = validation, ["test.macro_f1"] = test, ["test.accuracy"] = test };

    [Fact]
    public async Task A_worse_challenger_is_not_promoted_and_the_champion_is_evaluated_on_the_new_test_split()
    {
        await fixture.UploadSpamAsync("champ", perLabel: 10);
        var champion = await PromoteAsync("champ", "older-version", F1(0.99));
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, spec.Mode == JobMode.Evaluate ? F1(0.95) : F1(0.80)));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "champ" });
        var run = await Runs.WaitAsync(fixture, id);

        var outcome = run.ReadOutputAs<RunOutcome>()!;
        Assert.False(outcome.Promoted);
        Assert.Equal("validation.macro_f1 0.8000 does not beat the live model's 0.9500; the live model stays", outcome.Reason);
        var evaluate = Assert.Single(trainer.Received, j => j.Mode == JobMode.Evaluate);
        Assert.Equal(new ModelBase(ModelBaseKind.Package, "champ/v0"), evaluate.Base);
        Assert.Equal(outcome.DatasetVersions!["labeled"], evaluate.Dataset.Version);
        var live = await Runs.LiveAsync(fixture, "champ");
        Assert.Equal((champion.Version, champion.Metrics["test.macro_f1"]), (live!.Version, live.Metrics["test.macro_f1"]));
    }

    [Fact]
    public async Task A_better_challenger_replaces_the_champion()
    {
        await fixture.UploadSpamAsync("better", perLabel: 10);
        await PromoteAsync("better", "older-version", F1(0.70));
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, spec.Mode == JobMode.Evaluate ? F1(0.75) : F1(0.90)));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "better" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.True(outcome.Promoted, outcome.Reason);
        Assert.Equal(0.75, outcome.ChampionMetrics!["test.macro_f1"]);
        Assert.Equal(id, (await Runs.LiveAsync(fixture, "better"))!.Version);
    }

    [Fact]
    public async Task The_gate_decides_on_validation_and_a_challenger_better_only_on_test_stays_out()
    {
        await fixture.UploadSpamAsync("gate-split", perLabel: 10);
        await PromoteAsync("gate-split", "older-version", F1(0.90));
        // The challenger looks better on test (0.95 against 0.85) but is worse on validation (0.80 against 0.90).
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, spec.Mode == JobMode.Evaluate ? F1(0.90, 0.85) : F1(0.80, 0.95)));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "gate-split" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.False(outcome.Promoted, outcome.Reason);
        Assert.StartsWith("validation.macro_f1 0.8000 does not beat the live model's 0.9000", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal("v0", (await Runs.LiveAsync(fixture, "gate-split"))!.Version);
    }

    [Fact]
    public async Task A_challenger_that_maps_labels_differently_is_not_promoted_unless_the_request_allows_it()
    {
        await fixture.UploadSpamAsync("contract", perLabel: 10);
        // The champion reads every email with its folder's label; the challengers trade better numbers for swapped labels.
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec, spec.Mode == JobMode.Evaluate ? F1(0.10) : F1(0.90)));
        var first = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "contract" }))).ReadOutputAs<RunOutcome>()!;
        Assert.True(first.Promoted, first.Reason);
        var champion = (await Runs.LiveAsync(fixture, "contract"))!;
        Assert.Equal(["ham", "spam"], champion.Labels);

        var inverted = new Ingestion.IngestionOptions { LabelFromFolder = true, LabelMap = [new("ham", "spam"), new("spam", "ham")] };
        var swapped = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "contract", Reading = inverted, Seed = 2 }))).ReadOutputAs<RunOutcome>()!;
        Assert.False(swapped.Promoted);
        Assert.Contains("differ from the live model's", swapped.Reason, StringComparison.Ordinal);
        Assert.Null(swapped.ChampionMetrics); // not compared on labels that mean something else
        Assert.Equal(champion.Version, (await Runs.LiveAsync(fixture, "contract"))!.Version);

        var allowed = (await Runs.WaitAsync(fixture, await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "contract", Reading = inverted, Seed = 3, AllowLabelChange = true }))).ReadOutputAs<RunOutcome>()!;
        Assert.True(allowed.Promoted, allowed.Reason);
        Assert.NotEqual(champion.LabelContract, (await Runs.LiveAsync(fixture, "contract"))!.LabelContract);
    }

    [Theory]
    [InlineData("test.macro_f1")]
    [InlineData("test.accuracy")]
    [InlineData("validation.")]
    [InlineData("macro_f1")]
    public void A_promotion_metric_off_the_validation_split_is_refused(string metric)
    {
        var e = Assert.Throws<RunRequestException>(() => new TrainingRunRequest { Dataset = "spam", PromotionMetric = metric }.Validate());
        Assert.Contains("promotion_metric", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0.5, true)]
    [InlineData(0.9, 0.9, false)]
    [InlineData(0.9, 0.91, true)]
    public void Promotion_needs_a_strictly_better_metric_except_for_the_first_model(double? champion, double candidate, bool promote)
    {
        var decision = Promotion.Decide("validation.macro_f1", F1(candidate), champion is { } c ? F1(c) : null);
        Assert.Equal(promote, decision.Promote);
        Assert.False(Promotion.Decide("validation.macro_f1", new Dictionary<string, double>(), null).Promote);
    }

    private async Task<LiveModel> PromoteAsync(string name, string datasetVersion, Dictionary<string, double> metrics)
    {
        var live = new LiveModel { Name = name, Version = "v0", Package = $"{name}/v0/", Metrics = metrics, DatasetVersion = datasetVersion, RunId = "earlier", PromotedAt = DateTimeOffset.UnixEpoch };
        await new PromoteModelActivity(fixture.Blobs).RunAsync(null!, live);
        return (await Runs.LiveAsync(fixture, name))!;
    }
}
