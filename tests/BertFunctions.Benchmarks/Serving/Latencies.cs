using System.Diagnostics;
using System.Globalization;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>Latency samples in milliseconds and their percentiles (nearest rank, so p99 is an observed value).</summary>
internal sealed class Latencies
{
    private readonly List<double> samples = [];
    private double[]? sorted;

    public int Count => samples.Count;

    public double Total => samples.Sum();

    public void Add(double milliseconds)
    {
        samples.Add(milliseconds);
        sorted = null;
    }

    public void AddSince(long startTimestamp) => Add(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void AddRange(IEnumerable<double> milliseconds)
    {
        samples.AddRange(milliseconds);
        sorted = null;
    }

    public double Percentile(double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        sorted ??= [.. samples.Order()];
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double P50 => Percentile(50);

    public double P90 => Percentile(90);

    public double P99 => Percentile(99);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F2} ms, p90 {P90:F2} ms, p99 {P99:F2} ms (n = {Count})");
}
