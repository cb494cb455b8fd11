using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The steps of a label-budget job: the recipe's epochs, but never fewer than the floor.</summary>
public sealed class FineTuningPlanTests
{
    private static readonly Hyperparameters Recipe = new() { Epochs = 2, BatchSize = 32 };

    [Theory]
    [InlineData(50, 100)]     // 2 epochs would be 4 steps
    [InlineData(200, 100)]    // 13
    [InlineData(1_000, 100)]  // 63
    [InlineData(3_200, 200)]  // 2 epochs of 100 steps: above the floor, the recipe as it is
    [InlineData(3_201, 201)]  // a partial last batch is a step
    public void A_budget_trains_for_its_epochs_but_at_least_the_floor(int budget, long steps)
    {
        var plan = FineTuningPlan.ForBudget(Recipe, budget);

        Assert.Equal((budget, steps, steps / FineTuningPlan.Evaluations), (plan.TrainExamples, plan.MaxSteps, plan.EvalEverySteps));
        Assert.True(plan.KeepBest, "the best evaluation is kept");
    }

    [Fact]
    public void Gradient_accumulation_counts_in_the_examples_per_step()
    {
        Assert.Equal(250, FineTuningPlan.ForBudget(Recipe with { BatchSize = 8, GradientAccumulationSteps = 4 }, 4_000).MaxSteps);
    }

    [Fact]
    public void The_whole_split_and_a_users_max_steps_are_left_as_they_are()
    {
        Assert.Equal(Recipe with { TrainExamples = null }, FineTuningPlan.ForBudget(Recipe, 0));
        var fixedSteps = Recipe with { MaxSteps = 7, EvalEverySteps = 500 };
        Assert.Equal(fixedSteps with { TrainExamples = 50 }, FineTuningPlan.ForBudget(fixedSteps, 50));
    }
}
