using System.Globalization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// Assigns documents to train / validation / test, stratified by label and stable by document hash: within each
/// label, documents are ordered by their content hash and cut at the ratios. The same documents always land in
/// the same splits wherever and however often they are ingested, each label is split in the same proportions,
/// and adding documents moves only those near a boundary.
/// </summary>
public static class SplitAssigner
{
    /// <summary>The split of each document, by index; <paramref name="documents"/> are (hash, label) pairs, duplicates already removed.</summary>
    public static string[] Assign(IReadOnlyList<(string Hash, string? Label)> documents, SplitRatios ratios)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(ratios);
        var result = new string[documents.Count];
        foreach (var group in Enumerable.Range(0, documents.Count).GroupBy(i => documents[i].Label ?? string.Empty, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(i => documents[i].Hash, StringComparer.Ordinal).ToArray();
            var n = ordered.Length;
            var (train, validation, _) = Sizes(n, ratios);
            for (var k = 0; k < n; k++)
            {
                result[ordered[k]] = k < train ? Splits.Train : k < train + validation ? Splits.Validation : Splits.Test;
            }
        }

        return result;
    }

    /// <summary>How many of a label's <paramref name="n"/> documents go to train, validation and test (they add up to n).</summary>
    public static (int Train, int Validation, int Test) Sizes(int n, SplitRatios ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        var validation = (int)Math.Round(n * ratios.Validation, MidpointRounding.AwayFromZero);
        var test = (int)Math.Round(n * ratios.Test, MidpointRounding.AwayFromZero);

        // A split asked for gets at least one document once there are enough for all three.
        if (n >= 3)
        {
            validation = ratios.Validation > 0 ? Math.Max(1, validation) : 0;
            test = ratios.Test > 0 ? Math.Max(1, test) : 0;
        }

        // Rounding can ask for more than there is (tiny labels, large held-out ratios): train gives way first, then test.
        var train = Math.Max(0, n - validation - test);
        validation = Math.Min(validation, n - train);
        return (train, validation, n - train - validation);
    }

    /// <summary>A readable summary, e.g. for logs: <c>train 80, validation 10, test 10</c>.</summary>
    public static string Describe(IEnumerable<string> assignments) =>
        string.Join(", ", assignments.GroupBy(s => s).OrderBy(g => Splits.Code(g.Key)).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
}
