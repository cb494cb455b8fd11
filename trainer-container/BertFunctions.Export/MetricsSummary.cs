using System.Text.Json;

namespace BertFunctions.Export;

/// <summary>The numbers of a metrics JSON object, for the manifest: <c>{"accuracy": 0.9, "eval": {"f1": 0.8}}</c> gives accuracy and eval.f1.</summary>
public static class MetricsSummary
{
    /// <summary>Numbers at the top level and one level down; arrays, strings and deeper values are left out (they stay in metrics.json).</summary>
    public static IReadOnlyDictionary<string, double> Summarize(JsonElement metrics)
    {
        var summary = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in metrics.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Number)
            {
                summary[property.Name] = property.Value.GetDouble();
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var inner in property.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number))
                {
                    summary[$"{property.Name}.{inner.Name}"] = inner.Value.GetDouble();
                }
            }
        }

        return summary;
    }

    /// <summary>Parses <paramref name="json"/> and checks it is an object; <see cref="ArgumentException"/> naming <paramref name="what"/> otherwise.</summary>
    public static JsonElement ParseObject(string json, string what)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new ArgumentException($"{what} must be a JSON object, not {document.RootElement.ValueKind}.", what);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what} is not valid JSON: {e.Message}", what, e);
        }
    }
}
