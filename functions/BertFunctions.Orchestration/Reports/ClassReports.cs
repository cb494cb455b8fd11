using System.Text.Json;
using System.Text.Json.Nodes;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Reports;

/// <summary>Reads the per-class detail of a classify job's metrics.json (<c>splits.{split}.classification</c>) into <see cref="ClassReport"/>s.</summary>
public static class ClassReports
{
    /// <summary>The splits reported, in the order pages and the CLI show them.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["test", "validation"];

    /// <summary>
    /// The class report of every split that has one, by split name; null when the file is not JSON or has no
    /// classification detail (an MLM job's, or one written before the trainer kept it). Lenient on purpose: a run that
    /// trained is not failed because its detail cannot be read; it is recorded without it.
    /// </summary>
    public static Dictionary<string, ClassReport>? FromMetricsJson(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }

        var reports = new Dictionary<string, ClassReport>(StringComparer.Ordinal);
        foreach (var split in Splits)
        {
            if (root is JsonObject && root["splits"]?[split]?["classification"] is JsonObject classification && Of(classification) is { } report)
            {
                reports[split] = report;
            }
        }

        return reports.Count == 0 ? null : reports;
    }

    private static ClassReport? Of(JsonObject classification)
    {
        Detail? detail;
        try
        {
            detail = classification.Deserialize<Detail>(JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        if (detail is not { PerClass: { Count: > 0 } scores, ConfusionMatrix: { } rows } || rows.Count != scores.Count || rows.Any(r => r.Count != scores.Count))
        {
            return null;
        }

        return new ClassReport
        {
            Labels = [.. scores.Select(s => s.Label)],
            PerClass = scores,
            ConfusionMatrix = [.. rows.Select(r => (IReadOnlyList<long>)r)],
            Count = rows.Sum(r => r.Sum()),
        };
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The part of metrics.json's classification object read here (the per-example arrays are not).</summary>
    private sealed record Detail(List<ClassScore>? PerClass, List<List<long>>? ConfusionMatrix);
}
