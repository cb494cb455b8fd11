namespace BertFunctions.Tokenization;

/// <summary>HF's <c>truncate_encodings</c> with the longest_first strategy, stride 0, direction right.</summary>
internal static class Truncation
{
    /// <summary>How many pieces of each segment to keep so that both fit in <paramref name="budget"/>.</summary>
    internal static (int First, int Second) LongestFirst(int first, int second, int budget)
    {
        if (first + second <= budget)
        {
            return (first, second);
        }

        var (n1, n2) = (first, second);
        var swap = n1 > n2;
        if (swap)
        {
            (n1, n2) = (n2, n1);
        }

        // n1 is the shorter one: keep it whole when the longer one can absorb the cut.
        n2 = n1 > budget ? n1 : Math.Max(n1, budget - n1);
        if (n1 + n2 > budget)
        {
            n1 = budget / 2;
            n2 = n1 + (budget % 2);
        }

        if (swap)
        {
            (n1, n2) = (n2, n1);
        }

        return (Math.Min(first, n1), Math.Min(second, n2));
    }
}
