using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary><c>require_beat_baseline</c>: the candidate's validation metric must be strictly above the TF-IDF baseline's, and the reason says how it stood.</summary>
public sealed class BaselineGateTests
{
    private const string Metric = "validation.macro_f1";

    private static Dictionary<string, double> Validation(double f1, double testF1 = 0.5) =>
        new() { [Metric] = f1, ["test.macro_f1"] = testF1 };

    [Fact]
    public void A_candidate_above_the_baseline_beats_it_and_the_reason_says_so()
    {
        var verdict = Promotion.AgainstBaseline(Metric, Validation(0.81), Validation(0.74));

        Assert.True(verdict.Promote);
        Assert.Equal("beat the TF-IDF baseline 0.8100 > 0.7400 (validation.macro_f1)", verdict.Reason);
    }

    [Theory]
    [InlineData(0.70, 0.74)]
    [InlineData(0.74, 0.74)] // strictly above: a tie does not show BERT is worth it
    public void A_candidate_at_or_below_the_baseline_does_not_beat_it(double model, double baseline)
    {
        var verdict = Promotion.AgainstBaseline(Metric, Validation(model), Validation(baseline));

        Assert.False(verdict.Promote);
        Assert.StartsWith("did not beat the TF-IDF baseline", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rule_reads_the_validation_metric_never_test()
    {
        // Better than the baseline on test (0.99 against 0.10), worse on validation: not beaten.
        var verdict = Promotion.AgainstBaseline(Metric, Validation(0.70, testF1: 0.99), Validation(0.74, testF1: 0.10));

        Assert.False(verdict.Promote);
        Assert.Equal("did not beat the TF-IDF baseline 0.7000 <= 0.7400 (validation.macro_f1)", verdict.Reason);
    }

    [Fact]
    public void A_baseline_without_the_metric_cannot_be_shown_beaten()
    {
        Assert.False(Promotion.AgainstBaseline(Metric, Validation(0.9), new Dictionary<string, double>()).Promote);
        Assert.False(Promotion.AgainstBaseline(Metric, Validation(0.9), null).Promote);
        Assert.False(Promotion.AgainstBaseline(Metric, new Dictionary<string, double>(), Validation(0.1)).Promote);
    }

    [Fact]
    public void Required_the_rule_refuses_whatever_the_champion_and_adds_its_verdict_to_a_promotion()
    {
        var first = Promotion.Decide(Metric, Validation(0.81), null);
        Assert.True(first.Promote);

        var beaten = Promotion.WithBaseline(first, Promotion.AgainstBaseline(Metric, Validation(0.81), Validation(0.74)));
        Assert.True(beaten.Promote);
        Assert.Equal("first model for this name (validation.macro_f1 0.8100); beat the TF-IDF baseline 0.8100 > 0.7400 (validation.macro_f1)", beaten.Reason);

        var refused = Promotion.WithBaseline(first, Promotion.AgainstBaseline(Metric, Validation(0.81), Validation(0.90)));
        Assert.False(refused.Promote);
        Assert.Equal("not promoted: did not beat the TF-IDF baseline 0.8100 <= 0.9000 (validation.macro_f1)", refused.Reason);

        Assert.Same(first, Promotion.WithBaseline(first, null)); // not required: the champion decides alone
    }

    [Fact]
    public void A_candidate_carries_the_baseline_only_when_it_must_beat_it()
    {
        var candidate = new PromotionCandidate("run", "m/run/", Validation(0.81), "v", "vocab");
        Assert.Null(candidate.AgainstBaseline(Metric));

        var required = candidate with { MustBeatBaseline = Validation(0.74) };
        Assert.True(required.AgainstBaseline(Metric)!.Promote);
        Assert.False((candidate with { MustBeatBaseline = new Dictionary<string, double>() }).AgainstBaseline(Metric)!.Promote); // the baseline failed
    }

    [Fact]
    public void The_request_fields_are_off_the_wire_unless_set_so_existing_run_ids_stay_the_same()
    {
        var plain = new TrainingRunRequest { Dataset = "spam" };
        Assert.DoesNotContain("baseline", plain.ToJson(), StringComparison.Ordinal);
        Assert.True(plain.FitsBaseline);
        Assert.False(plain.RequireBeatBaseline);

        var json = TrainingRunRequest.FromJson("""{"dataset": "spam", "baseline": false}""");
        Assert.False(json.FitsBaseline);
        Assert.NotEqual(plain.Hash(), json.Hash());
        Assert.True(TrainingRunRequest.FromJson("""{"dataset": "spam", "require_beat_baseline": true}""").RequireBeatBaseline);

        var e = Assert.Throws<RunRequestException>(() => TrainingRunRequest.FromJson("""{"dataset": "spam", "baseline": false, "require_beat_baseline": true}"""));
        Assert.Contains("require_beat_baseline", e.Message, StringComparison.Ordinal);
    }
}
