using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// <c>manifest.json</c> of a dataset version: everything a trainer or a person needs to know about it without
/// opening a shard. Written last: a version exists exactly when its manifest does.
/// </summary>
public sealed record DatasetManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Dataset { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string Run { get; init; }
    public required string InputFingerprint { get; init; }
    public required IReadOnlyList<ManifestInput> Inputs { get; init; }
    public required string VocabularySha256 { get; init; }
    public required int VocabularySize { get; init; }
    public required int MaxSeqLen { get; init; }
    public required JsonElement Config { get; init; }
    public required ManifestCounts Counts { get; init; }
    public IReadOnlyList<string>? Labels { get; init; }
    public required IReadOnlyDictionary<string, ManifestSplit> Splits { get; init; }
    public required ManifestQuarantine Quarantine { get; init; }

    /// <summary>How the static masking seeds were derived (pretraining only).</summary>
    public string? Seeds { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Static masking copies per sequence: the config's <c>pretraining.dupe_factor</c> for pretraining data, else 1.</summary>
    public int MaskingCopies() =>
        string.Equals(Kind, "Pretraining", StringComparison.OrdinalIgnoreCase)
        && Config.ValueKind == JsonValueKind.Object
        && Config.TryGetProperty("pretraining", out var pretraining) && pretraining.ValueKind == JsonValueKind.Object
        && pretraining.TryGetProperty("dupe_factor", out var dupe) && dupe.TryGetInt32(out var copies) && copies >= 1
            ? copies
            : 1;

    /// <summary>
    /// The masked-LM rules the static copies were drawn with (the config's <c>pretraining.masking</c>), so that dynamic
    /// re-masking follows the same rules (whole-word masking included); BERT's defaults when the config has none.
    /// </summary>
    public BertFunctions.Datasets.MaskingOptions MaskingOptions() =>
        Config.ValueKind == JsonValueKind.Object
        && Config.TryGetProperty("pretraining", out var pretraining) && pretraining.ValueKind == JsonValueKind.Object
        && pretraining.TryGetProperty("masking", out var masking) && masking.ValueKind == JsonValueKind.Object
            ? masking.Deserialize<BertFunctions.Datasets.MaskingOptions>(JsonOptions) ?? new()
            : new();

    public static DatasetManifest FromJson(string json) =>
        JsonSerializer.Deserialize<DatasetManifest>(json, JsonOptions) ?? throw new InvalidDataException("manifest.json is empty");
}

public sealed record ManifestInput(string Blob, long Size, string ETag);

public sealed record ManifestCounts(
    int Files,
    long Bytes,
    int DocumentsRead,
    int Duplicates,
    int Documents,
    int Quarantined,
    long InvalidBytesReplaced,
    int SkippedAttachments,
    IReadOnlyDictionary<string, int> DocumentsByLabel);

public sealed record ManifestSplit(
    int Documents,
    long Examples,
    long Tokens,
    double UnkRate,
    int LengthBucketWidth,
    IReadOnlyList<long> LengthHistogram,
    IReadOnlyDictionary<string, long>? LabelCounts,
    IReadOnlyList<string> Shards)
{
    /// <summary>
    /// Classification only: the split's cleaned texts (gzip JSON lines, one per example, in the shards' example order),
    /// for models that read text. Null for pretraining data and for versions ingested before texts were kept.
    /// </summary>
    public IReadOnlyList<string>? Text { get; init; }
}

public sealed record ManifestQuarantine(int Items, IReadOnlyDictionary<string, int> ByReason, string Report);
