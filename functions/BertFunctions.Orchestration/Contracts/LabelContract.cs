using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BertFunctions.Ingestion;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// What callers of the served model rely on: which labels it answers and how training data was mapped to them (the
/// reading options that decide a label: label field, label per folder, label map, allowed labels). Two models with the
/// same label names can still mean opposite things (a label map that swaps ham and spam), so the contract is both,
/// hashed. A challenger whose contract differs from the live model's is not promoted unless the request says
/// <c>allow_label_change</c>.
/// </summary>
public static class LabelContract
{
    public static string Of(IReadOnlyList<string> labels, IngestionOptions? reading)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var r = reading ?? new IngestionOptions { LabelFromFolder = true }; // what a request without reading options reads with
        var decisive = new { labels, r.LabelField, r.LabelFromFolder, r.LabelMap, r.AllowedLabels };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(decisive))))[..16];
    }
}
