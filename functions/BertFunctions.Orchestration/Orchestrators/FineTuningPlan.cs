using BertFunctions.Contracts.Training;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The steps of a fine-tuning job under a label budget. A recipe in epochs (2 by default) is a handful of steps at small
/// budgets (50 labels in batches of 32: 4 steps, 1,000 labels: 63), far from convergence, and a comparison of
/// under-trained arms says nothing about the strategies. So a budget job trains for at least <see cref="MinSteps"/>,
/// evaluates on validation along the way and ends with its best evaluation (keep_best): longer training costs little
/// at small budgets, and validation guards against the overfitting it invites. The floor is the demo's 100 steps of
/// batch 32, which converge on the whole Spam Assassin training split. A max_steps the user set is theirs and is kept.
/// </summary>
public static class FineTuningPlan
{
    /// <summary>The fewest optimizer steps of a budget job planned from epochs.</summary>
    public const long MinSteps = 100;

    /// <summary>Validation evaluations of a planned job, the final one included.</summary>
    public const int Evaluations = 4;

    /// <summary>The recipe for one arm: <paramref name="budget"/> training examples (0: the whole split, the recipe as it is).</summary>
    public static Hyperparameters ForBudget(Hyperparameters recipe, int budget)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        if (budget == 0)
        {
            return recipe with { TrainExamples = null };
        }

        if (recipe.MaxSteps is not null)
        {
            return recipe with { TrainExamples = budget };
        }

        var examplesPerStep = (long)recipe.BatchSize * recipe.GradientAccumulationSteps;
        var epochSteps = (long)Math.Ceiling(recipe.Epochs * budget / examplesPerStep);
        var steps = Math.Max(MinSteps, epochSteps);
        return recipe with { TrainExamples = budget, MaxSteps = steps, EvalEverySteps = Math.Max(1, steps / Evaluations) };
    }
}
