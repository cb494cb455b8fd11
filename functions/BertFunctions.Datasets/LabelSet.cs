using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Datasets;

/// <summary>
/// Class labels and their ids: the distinct labels sorted ordinally, id = position. Stored as
/// <c>labels.json</c>: <c>{"labels": [...], "label2id": {...}}</c> (HF's config uses the same label2id).
/// </summary>
public sealed class LabelSet
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly string[] _labels;
    private readonly Dictionary<string, int> _ids;

    private LabelSet(string[] labels)
    {
        _labels = labels;
        _ids = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            _ids.Add(labels[i], i);
        }
    }

    /// <summary>The labels in id order.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Number of labels.</summary>
    public int Count => _labels.Length;

    /// <summary>The set of the distinct <paramref name="labels"/> (duplicates are fine), sorted ordinally.</summary>
    /// <exception cref="ArgumentException">No labels, or a null or empty label.</exception>
    public static LabelSet FromLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0 || distinct.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A label set needs at least one label, and labels must be non-empty strings.", nameof(labels));
        }

        Array.Sort(distinct, StringComparer.Ordinal);
        return new LabelSet(distinct);
    }

    /// <summary>The id of <paramref name="label"/>.</summary>
    /// <exception cref="KeyNotFoundException">The label is not in the set (the message names it and the known labels).</exception>
    public int IdOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return _ids.TryGetValue(label, out var id)
            ? id
            : throw new KeyNotFoundException($"Unknown label '{label}': the label set has {Count} labels ({Describe()}).");
    }

    /// <summary>The label of <paramref name="id"/>.</summary>
    public string LabelOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return _labels[id];
    }

    /// <summary>Writes <c>labels.json</c> (UTF-8, indented).</summary>
    public void Write(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        JsonSerializer.Serialize(output, new LabelsFile(_labels, _ids), JsonOptions);
    }

    /// <summary>Reads <c>labels.json</c>, checking that label2id agrees with the sorted label list.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, or inconsistent.</exception>
    public static LabelSet Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        LabelsFile? file;
        try
        {
            file = JsonSerializer.Deserialize<LabelsFile>(input, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"labels.json is not valid JSON: {e.Message}", e);
        }

        if (file?.Labels is not { Length: > 0 } labels || file.Label2Id is null)
        {
            throw new InvalidDataException("labels.json needs a non-empty \"labels\" array and a \"label2id\" object.");
        }

        LabelSet set;
        try
        {
            set = FromLabels(labels);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"labels.json: {e.Message}", e);
        }

        if (!set._labels.AsSpan().SequenceEqual(labels))
        {
            throw new InvalidDataException("labels.json: \"labels\" must be distinct and sorted ordinally.");
        }

        if (file.Label2Id.Count != set.Count || file.Label2Id.Any(pair => !set._ids.TryGetValue(pair.Key, out var id) || id != pair.Value))
        {
            throw new InvalidDataException("labels.json: \"label2id\" does not map each label to its position in \"labels\".");
        }

        return set;
    }

    private string Describe() => Count <= 20 ? string.Join(", ", _labels) : string.Join(", ", _labels.Take(20)) + ", ...";

    private sealed record LabelsFile(
        [property: JsonPropertyName("labels")] string[]? Labels,
        [property: JsonPropertyName("label2id")] IReadOnlyDictionary<string, int>? Label2Id);
}
