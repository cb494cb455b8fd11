using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// What identifies a dataset version, defined once. Before reading, the input fingerprint (the inputs' names, sizes
/// and ETags) finds a re-ingest of unchanged uploads; after consolidation, the version (the kept documents, their
/// labels and splits) finds the same content reached from other uploads. Both hash the pipeline format, the
/// configuration and the vocabulary first, so that changing any of them makes a new version.
/// </summary>
public static class DatasetVersionHash
{
    /// <summary>Bumped when the bytes a version holds change for the same inputs and configuration.</summary>
    public const string PipelineFormat = "bertfn-ingestion-2"; // 2: classification versions keep their texts

    /// <summary>Hex characters of a version id (a prefix of the content hash).</summary>
    public const int VersionLength = 32;

    private static readonly JsonSerializerOptions ConfigJsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The configuration that shapes a version's bytes, as hashed and as the manifest records it (snake_case).</summary>
    public static string ConfigJson(IngestionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return JsonSerializer.Serialize(
            new { kind = request.Kind.ToString(), reading = request.Reading, pretraining = request.Pretraining, classification = request.Classification, split = request.Split, lower_case = request.LowerCase, max_shard_bytes = request.MaxShardBytes },
            ConfigJsonOptions);
    }

    /// <summary>The fingerprint of a run's inputs (listed in name order), before anything is read.</summary>
    public static string OfInputs(IngestionRequest request, IngestionVocabulary vocabulary, IEnumerable<BlobItem> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Of(request, vocabulary, string.Join('\n', inputs.Select(b => $"{b.Name}\t{b.Properties.ContentLength}\t{b.Properties.ETag}")));
    }

    /// <summary>The version of the kept documents (by content hash, in unit order), with their labels and splits.</summary>
    public static string OfContent(IngestionRequest request, IngestionVocabulary vocabulary, IReadOnlyList<(string Hash, string? Label)> documents, IReadOnlyList<string> splits)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(splits);
        if (documents.Count != splits.Count)
        {
            throw new ArgumentException($"{documents.Count} documents but {splits.Count} splits", nameof(splits));
        }

        return Of(request, vocabulary, string.Join('\n', documents.Select((d, i) => $"{d.Hash}\t{d.Label}\t{splits[i]}")))[..VersionLength];
    }

    private static string Of(IngestionRequest request, IngestionVocabulary vocabulary, string content)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        string[] parts = [PipelineFormat, ConfigJson(request), vocabulary.Sha256, content];
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));
    }
}
