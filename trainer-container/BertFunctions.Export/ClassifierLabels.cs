using System.Globalization;
using BertFunctions.Modeling;

namespace BertFunctions.Export;

/// <summary>The class names of a sequence classifier, completed the way HF completes them.</summary>
public static class ClassifierLabels
{
    /// <summary>
    /// <paramref name="config"/> with <c>id2label</c> and <c>label2id</c> both present and consistent: missing ones
    /// are filled as HF does (<c>LABEL_0</c>, <c>LABEL_1</c>, ... or the inverse of the other map). Throws
    /// <see cref="InvalidDataException"/> if the ids are not exactly 0..num_labels-1 or the maps disagree.
    /// </summary>
    public static BertConfig Complete(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var count = config.LabelCount;
        var id2label = config.Id2Label
            ?? config.Label2Id?.ToDictionary(kv => kv.Value.ToString(CultureInfo.InvariantCulture), kv => kv.Key, StringComparer.Ordinal)
            ?? Enumerable.Range(0, count).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => $"LABEL_{i}", StringComparer.Ordinal);
        var expectedIds = Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture));
        if (!id2label.Keys.Order(StringComparer.Ordinal).SequenceEqual(expectedIds.Order(StringComparer.Ordinal)))
        {
            throw new InvalidDataException($"id2label has ids {string.Join(", ", id2label.Keys)}; expected exactly 0..{count - 1} for {count} labels.");
        }

        var label2id = config.Label2Id ?? id2label.ToDictionary(kv => kv.Value, kv => int.Parse(kv.Key, CultureInfo.InvariantCulture), StringComparer.Ordinal);
        if (label2id.Count != count || id2label.Any(kv => !label2id.TryGetValue(kv.Value, out var id) || id.ToString(CultureInfo.InvariantCulture) != kv.Key))
        {
            throw new InvalidDataException("id2label and label2id disagree (or a label name is used twice).");
        }

        return config with { Id2Label = id2label, Label2Id = label2id };
    }

    /// <summary>The names in id order.</summary>
    public static IReadOnlyList<string> Names(BertConfig config)
    {
        var complete = Complete(config);
        return Enumerable.Range(0, complete.LabelCount).Select(i => complete.Id2Label![i.ToString(CultureInfo.InvariantCulture)]).ToList();
    }
}
