using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Serving.Models;

/// <summary>What serving reads of an HF <c>config.json</c>: the class names and the longest sequence the model takes.</summary>
internal sealed record HfClassifierConfig
{
    [JsonPropertyName("id2label")]
    public Dictionary<string, string>? Id2Label { get; init; }

    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    public static HfClassifierConfig Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<HfClassifierConfig>(File.ReadAllBytes(path)) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid HF config: {e.Message}", e);
        }
    }

    /// <summary>The class names in id order (ids exactly 0..n-1), or <see cref="InvalidDataException"/>.</summary>
    public IReadOnlyList<string> Labels(string path)
    {
        if (Id2Label is not { Count: > 0 } map)
        {
            throw new InvalidDataException($"{path}: no id2label; a classifier package names its classes");
        }

        var labels = new string[map.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = map.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var label) && label.Length > 0
                ? label
                : throw new InvalidDataException($"{path}: id2label has ids {string.Join(", ", map.Keys)}; expected exactly 0..{labels.Length - 1}");
        }

        return labels.Distinct(StringComparer.Ordinal).Count() == labels.Length
            ? labels
            : throw new InvalidDataException($"{path}: id2label names a class twice");
    }
}
