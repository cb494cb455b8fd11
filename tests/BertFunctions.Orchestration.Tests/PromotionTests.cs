using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

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
    public async Task A_package_the_trainer_reported_but_never_wrote_is_not_promoted_even_as_the_first_model()
    {
        await fixture.UploadSpamAsync("ghost", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec), writesPackages: false);

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "ghost" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.False(outcome.Promoted);
        Assert.StartsWith("not promoted: its package does not verify (model package ghost/", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(await Runs.LiveAsync(fixture, "ghost"));
    }

    [Fact]
    public async Task A_package_whose_weights_changed_after_its_manifest_was_written_is_not_promoted()
    {
        await fixture.UploadSpamAsync("tampered", perLabel: 10);
        var models = fixture.Blobs.GetBlobContainerClient(BertFunctions.Contracts.Storage.StorageLayout.ModelsContainer);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) =>
        {
            // The package is whole when written, then its weights are replaced: the manifest's SHA-256 no longer holds.
            ScriptedTrainer.WritePackageAsync(fixture.Blobs, spec.Output!.Name, spec.Output.Version, CancellationToken.None).GetAwaiter().GetResult();
            models.GetBlobClient($"{spec.Output.Prefix}model.safetensors").Upload(BinaryData.FromString("other weights"), overwrite: true);
            return ScriptedTrainer.Succeed(spec);
        }, writesPackages: false);

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "tampered" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.False(outcome.Promoted);
        Assert.Contains("model.safetensors: content does not match the manifest", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(await Runs.LiveAsync(fixture, "tampered"));
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

    [Fact]
    public async Task Of_two_promotions_decided_against_the_same_live_model_exactly_one_is_written()
    {
        var first = await PromoteAsync("race", "v-old", F1(0.5));
        var read = await new ReadLiveModelActivity(fixture.Blobs).RunAsync(null!, "race");
        var promote = new PromoteModelActivity(fixture.Blobs);
        LiveModel Challenger(string version, double f1) => first with { Version = version, Package = $"race/{version}/", Metrics = F1(f1), RunId = version };

        var results = await Task.WhenAll(
            Task.Run(() => promote.RunAsync(null!, new PromotionInput(Challenger("a", 0.9), read.ETag)), TestContext.Current.CancellationToken),
            Task.Run(() => promote.RunAsync(null!, new PromotionInput(Challenger("b", 0.7), read.ETag)), TestContext.Current.CancellationToken));

        Assert.Single(results, won => won);
        var live = (await Runs.LiveAsync(fixture, "race"))!;
        Assert.Equal(results[0] ? "a" : "b", live.Version);
        // The first promotion of a name is conditional too: only when none is live.
        Assert.False(await promote.RunAsync(null!, new PromotionInput(Challenger("c", 0.99), null)));
    }

    [Fact]
    public async Task A_run_whose_champion_was_replaced_while_it_decided_decides_again_against_the_new_one()
    {
        await fixture.UploadSpamAsync("raced", perLabel: 10);
        await PromoteAsync("raced", "older-version", F1(0.5));
        // While this run evaluates the champion it read (0.5), another run promotes a better model (0.95) measured
        // on the same split: this run's 0.80 beat the old champion, but must not replace the new one.
        LiveModel? other = null;
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) =>
        {
            if (spec.Mode == JobMode.Evaluate && other is null)
            {
                other = new LiveModel { Name = "raced", Version = "other", Package = "raced/other/", Metrics = F1(0.95), DatasetVersion = spec.Dataset.Version, RunId = "other-run", PromotedAt = DateTimeOffset.UnixEpoch };
                PromoteAsync(other).GetAwaiter().GetResult();
            }

            return ScriptedTrainer.Succeed(spec, spec.Mode == JobMode.Evaluate ? F1(0.5) : F1(0.80));
        });

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "raced" });
        var run = await Runs.WaitAsync(fixture, id);

        var outcome = run.ReadOutputAs<RunOutcome>()!;
        Assert.False(outcome.Promoted);
        Assert.Equal("validation.macro_f1 0.8000 does not beat the live model's 0.9500; the live model stays", outcome.Reason);
        Assert.Equal("other", (await Runs.LiveAsync(fixture, "raced"))!.Version);
    }

    private async Task<LiveModel> PromoteAsync(string name, string datasetVersion, Dictionary<string, double> metrics)
    {
        var live = new LiveModel { Name = name, Version = "v0", Package = $"{name}/v0/", Metrics = metrics, DatasetVersion = datasetVersion, RunId = "earlier", PromotedAt = DateTimeOffset.UnixEpoch };
        await PromoteAsync(live);
        return (await Runs.LiveAsync(fixture, name))!;
    }

    /// <summary>Writes <paramref name="live"/> as another run's promotion does: against the live.json it read.</summary>
    private async Task PromoteAsync(LiveModel live)
    {
        var read = await new ReadLiveModelActivity(fixture.Blobs).RunAsync(null!, live.Name);
        Assert.True(await new PromoteModelActivity(fixture.Blobs).RunAsync(null!, new PromotionInput(live, read.ETag)));
    }
}
