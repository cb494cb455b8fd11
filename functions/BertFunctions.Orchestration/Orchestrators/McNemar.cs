namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// McNemar's exact test of two classifiers scored on the same examples (Dietterich 1998 recommends it for comparing
/// two learners on one test set): only the examples they disagree on count. <c>B</c> is how many the first got right
/// and the second wrong, <c>C</c> the reverse; under the null hypothesis that both are equally good each disagreement
/// goes either way with probability 1/2, so the two-sided p-value is 2 × P(X ≤ min(B, C)) for X ~ Binomial(B + C, 1/2),
/// at most 1. Exact, so it holds for the few disagreements small validation splits give.
/// </summary>
/// <param name="B">Examples the first classifier got right and the second wrong.</param>
/// <param name="C">Examples the second got right and the first wrong.</param>
/// <param name="PValue">Two-sided exact p-value.</param>
public sealed record McNemar(int B, int C, double PValue)
{
    /// <summary>The test on per-example correctness of two classifiers over the same examples, in the same order.</summary>
    public static McNemar Test(IReadOnlyList<bool> firstCorrect, IReadOnlyList<bool> secondCorrect)
    {
        ArgumentNullException.ThrowIfNull(firstCorrect);
        ArgumentNullException.ThrowIfNull(secondCorrect);
        if (firstCorrect.Count != secondCorrect.Count)
        {
            throw new ArgumentException($"the two classifiers were scored on {firstCorrect.Count} and {secondCorrect.Count} examples; a paired test needs the same examples");
        }

        int b = 0, c = 0;
        for (var i = 0; i < firstCorrect.Count; i++)
        {
            b += firstCorrect[i] && !secondCorrect[i] ? 1 : 0;
            c += !firstCorrect[i] && secondCorrect[i] ? 1 : 0;
        }

        return FromCounts(b, c);
    }

    /// <summary>The test from the disagreement counts (e.g. summed over seeds, each seed's pair on the same examples).</summary>
    public static McNemar FromCounts(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        var n = b + c;
        if (n == 0)
        {
            return new McNemar(0, 0, 1);
        }

        // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so that large n does not overflow.
        var k = Math.Min(b, c);
        var logHalfN = -n * Math.Log(2);
        double tail = 0;
        var logChoose = 0.0; // log C(n, 0)
        for (var i = 0; i <= k; i++)
        {
            tail += Math.Exp(logChoose + logHalfN);
            logChoose += Math.Log(n - i) - Math.Log(i + 1);
        }

        return new McNemar(b, c, Math.Min(1, 2 * tail));
    }
}
