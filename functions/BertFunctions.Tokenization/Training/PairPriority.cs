namespace BertFunctions.Tokenization.Training;

/// <summary>A queued pair of token ids with the count it had when queued (maybe stale since).</summary>
internal readonly record struct PairPriority(long Count, int Left, int Right);

/// <summary>
/// Orders the merge queue: highest count first; equal counts by the pair's texts, ordinal, so that the
/// order, and with it the vocabulary, does not depend on ids or hash order.
/// </summary>
internal sealed class PairPriorityComparer(IReadOnlyList<string> tokens) : IComparer<PairPriority>
{
    public int Compare(PairPriority x, PairPriority y)
    {
        var byCount = y.Count.CompareTo(x.Count);
        if (byCount != 0)
        {
            return byCount;
        }

        var byLeft = string.CompareOrdinal(tokens[x.Left], tokens[y.Left]);
        return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[x.Right], tokens[y.Right]);
    }
}
