using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The 95 % interval of a mean over seeds, on values whose answer is known.</summary>
public sealed class ConfidenceIntervalTests
{
    [Fact]
    public void Three_seeds_use_students_t_with_two_degrees_of_freedom()
    {
        // 0.80, 0.82, 0.84: mean 0.82, sample std 0.02, t(0.975, 2) = 4.303: half-width 4.303 x 0.02 / sqrt(3) = 0.04969.
        var summary = new ArmSummary(TrainingStrategy.Finetune, 50, 3, 0.9, 0, 0.82, 0.02);
        Assert.Equal(4.303 * 0.02 / Math.Sqrt(3), summary.MacroF1Ci95, 12);
        Assert.Equal(0.0497, summary.MacroF1Ci95, 4);
    }

    [Fact]
    public void One_seed_has_no_interval_and_many_approach_the_normal()
    {
        Assert.True(double.IsNaN(ConfidenceInterval.HalfWidth95(0.1, 1)));
        Assert.Equal(12.706 * 0.1 / Math.Sqrt(2), ConfidenceInterval.HalfWidth95(0.1, 2), 12);
        Assert.Equal(1.96 * 0.1 / Math.Sqrt(100), ConfidenceInterval.HalfWidth95(0.1, 100), 12);
    }
}
