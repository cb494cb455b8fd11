using System.Globalization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// Whether every label of a classification dataset has documents enough for each split to get one: a label with fewer
/// lands wholly in train (<see cref="SplitAssigner"/>), so the model is never validated or tested on it, and its
/// per-class scores would silently be missing. Ingestion refuses such a dataset before anything is trained, and says
/// which labels and what they need.
/// </summary>
public static class LabelSizes
{
    /// <summary>The fewest documents a label needs so that train and every split asked for (ratio above 0) get one.</summary>
    public static int MinimumPerLabel(SplitRatios ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        var n = 1;
        while (!Enough(n, ratios) && n < 1_000_000) // ratios are validated (train above 0), so it ends well before
        {
            n++;
        }

        return n;
    }

    /// <summary>Why the labels cannot be split (every too small label, smallest first, with its count), or null when they can.</summary>
    /// <param name="documentsPerLabel">Documents per label, duplicates removed.</param>
    public static string? Problem(string dataset, IReadOnlyDictionary<string, int> documentsPerLabel, SplitRatios ratios)
    {
        ArgumentNullException.ThrowIfNull(documentsPerLabel);
        ArgumentNullException.ThrowIfNull(ratios);
        var small = documentsPerLabel.Where(kv => !Enough(kv.Value, ratios)).OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (small.Count == 0)
        {
            return null;
        }

        const int Shown = 10;
        var named = string.Join(", ", small.Take(Shown).Select(kv => string.Create(CultureInfo.InvariantCulture, $"label '{kv.Key}' has {kv.Value} document{(kv.Value == 1 ? "" : "s")}")));
        var more = small.Count > Shown ? string.Create(CultureInfo.InvariantCulture, $" (and {small.Count - Shown} more labels)") : "";
        string[] asked = [Splits.Train, .. ratios.Validation > 0 ? [Splits.Validation] : Array.Empty<string>(), .. ratios.Test > 0 ? [Splits.Test] : Array.Empty<string>()];
        return string.Create(CultureInfo.InvariantCulture,
            $"dataset '{dataset}': {named}{more}, after duplicates are removed; each label needs at least {MinimumPerLabel(ratios)} (so that {Listed(asked)} each get one): add examples, or merge or drop the label");
    }

    private static string Listed(string[] items) => items.Length <= 1 ? string.Join("", items) : string.Join(", ", items[..^1]) + " and " + items[^1];

    private static bool Enough(int n, SplitRatios ratios)
    {
        var (train, validation, test) = SplitAssigner.Sizes(n, ratios);
        return train > 0 && (validation > 0 || ratios.Validation <= 0) && (test > 0 || ratios.Test <= 0);
    }
}
