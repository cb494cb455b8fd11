using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>McNemar's exact test on cases whose answers are known in closed form.</summary>
public sealed class McNemarTests
{
    [Theory]
    [InlineData(10, 2, 2.0 * (1 + 12 + 66) / 4096)]   // 2 P(X <= 2), X ~ Bin(12, 1/2) = 0.0386
    [InlineData(2, 10, 2.0 * (1 + 12 + 66) / 4096)]   // symmetric
    [InlineData(5, 5, 1.0)]                            // 2 P(X <= 5), X ~ Bin(10, 1/2) > 1: capped
    [InlineData(6, 0, 2.0 / 64)]                       // six disagreements all one way: 0.03125
    [InlineData(5, 0, 2.0 / 32)]                       // five are not enough at 0.05: 0.0625
    [InlineData(0, 0, 1.0)]                            // no disagreement, no evidence
    public void Exact_p_values(int b, int c, double p)
    {
        Assert.Equal(p, McNemar.FromCounts(b, c).PValue, 12);
    }

    [Fact]
    public void Large_counts_do_not_overflow_and_match_the_normal_approximation()
    {
        // b = 600, c = 400: z = (600 - 400) / sqrt(1000) = 6.32, two-sided p about 2.5e-10.
        var p = McNemar.FromCounts(600, 400).PValue;
        Assert.InRange(p, 1e-10, 1e-9);
    }

    [Fact]
    public void Only_disagreements_count()
    {
        bool[] first = [true, true, true, false, true, false, true, true];
        bool[] second = [true, false, false, false, true, true, false, true];
        var test = McNemar.Test(first, second);
        Assert.Equal((3, 1), (test.B, test.C));
        Assert.Equal(2.0 * (1 + 4) / 16, test.PValue, 12);
        Assert.Throws<ArgumentException>(() => McNemar.Test(first, second[..7]));
    }
}
