namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The 95 % confidence interval of a mean over seeds: mean ± t(0.975, n − 1) × s / √n (Student's t; with 3 seeds the
/// factor is 4.30, not 1.96, which is why a handful of seeds says less than its standard deviation suggests).
/// </summary>
public static class ConfidenceInterval
{
    // t(0.975, df) for df = 1..30 (standard tables); above 30 the normal 1.96 is within 4 %.
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>Half the width of the 95 % interval of the mean of <paramref name="count"/> values with sample standard deviation <paramref name="std"/>; NaN for fewer than 2 values.</summary>
    public static double HalfWidth95(double std, int count) =>
        count < 2 ? double.NaN : (count - 1 <= T975.Length ? T975[count - 2] : 1.96) * std / Math.Sqrt(count);
}
