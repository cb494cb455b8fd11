using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>What an experiment offers for promotion: the best seed of the best strategy at the largest budget, never the baseline.</summary>
public sealed class ExperimentWinnerTests
{
    private const string Metric = "validation.macro_f1";

    private static ArmResult Arm(TrainingStrategy strategy, int budget, int seed, double f1) =>
        new(strategy, budget, seed, $"exp--{TrainingStrategyNames.Slug(strategy)}-b{LabelBudgets.Name(budget)}-s{seed}", 100,
            new Dictionary<string, double> { [Metric] = f1, ["test.macro_f1"] = f1, ["test.accuracy"] = f1, ["validation.accuracy"] = f1 },
            ModelPackage: strategy == TrainingStrategy.Baseline ? null : $"spam/{strategy}-{budget}-{seed}/");

    private static ExperimentResult Result(params ArmResult[] arms) =>
        ExperimentSummary.Summarize("exp", "spam", new Dictionary<string, string>(), arms);

    [Fact]
    public void The_best_seed_of_the_best_strategy_at_the_largest_budget_is_offered()
    {
        var result = Result(
            // At 50 labels finetune wins, but "all" (0) is the largest budget and there dapt does.
            Arm(TrainingStrategy.Finetune, 50, 1, 0.90), Arm(TrainingStrategy.Finetune, 50, 2, 0.90),
            Arm(TrainingStrategy.Dapt, 50, 1, 0.60), Arm(TrainingStrategy.Dapt, 50, 2, 0.60),
            Arm(TrainingStrategy.Finetune, 0, 1, 0.70), Arm(TrainingStrategy.Finetune, 0, 2, 0.71),
            Arm(TrainingStrategy.Dapt, 0, 1, 0.95), Arm(TrainingStrategy.Dapt, 0, 2, 0.97));

        var choice = ExperimentWinner.Pick(result, Metric, "spam");

        Assert.Equal((TrainingStrategy.Dapt, 0, 2), (choice.Candidate!.Strategy, choice.Candidate.Budget, choice.Candidate.Seed));
        Assert.Null(choice.NotServed);
    }

    [Fact]
    public void A_winning_baseline_is_not_served_and_says_so()
    {
        var result = Result(
            Arm(TrainingStrategy.Baseline, 200, 1, 0.95), Arm(TrainingStrategy.Baseline, 200, 2, 0.97),
            Arm(TrainingStrategy.Finetune, 200, 1, 0.60), Arm(TrainingStrategy.Finetune, 200, 2, 0.61));

        var choice = ExperimentWinner.Pick(result, Metric, "filter");

        Assert.Null(choice.Candidate);
        Assert.Equal(new ExperimentPromotion("exp--baseline-b200-s2", "filter", false, ExperimentWinner.BaselineNotServed, null), choice.NotServed);
    }

    [Fact]
    public void Without_a_packaged_arm_nothing_is_offered()
    {
        var unpackaged = Arm(TrainingStrategy.Finetune, 200, 1, 0.9) with { ModelPackage = null };

        var choice = ExperimentWinner.Pick(Result(unpackaged), Metric, "spam");

        Assert.Equal(new ExperimentWinner.Choice(null, null), choice);
    }
}
