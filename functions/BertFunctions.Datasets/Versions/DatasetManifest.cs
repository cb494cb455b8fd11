using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Datasets;

/// <summary>
/// <c>manifest.json</c> of a dataset version: everything a trainer or a person needs to know about it without
/// opening a shard. Written last: a version exists exactly when its manifest does.
/// </summary>
public sealed record DatasetManifest
{
    /// <summary>The format this code writes; readers refuse nothing older.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The manifest's format number.</summary>
    public int Format { get; init; } = CurrentFormat;
    /// <summary>The dataset's name.</summary>
    public required string Dataset { get; init; }
    /// <summary>The version: a hash of the inputs and the ingestion settings.</summary>
    public required string Version { get; init; }
    /// <summary><c>Classification</c> or <c>Pretraining</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>When the version was finalized.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The ingestion run that wrote it.</summary>
    public required string Run { get; init; }
    /// <summary>A hash of the input blobs (names, sizes, ETags): the same uploads give the same fingerprint.</summary>
    public required string InputFingerprint { get; init; }
    /// <summary>The input blobs it was built from.</summary>
    public required IReadOnlyList<ManifestInput> Inputs { get; init; }
    /// <summary>SHA-256 of the vocab.txt its tokens index.</summary>
    public required string VocabularySha256 { get; init; }
    /// <summary>Entries in that vocabulary.</summary>
    public required int VocabularySize { get; init; }
    /// <summary>The longest sequence, in tokens, [CLS] and [SEP] included.</summary>
    public required int MaxSeqLen { get; init; }
    /// <summary>The ingestion settings, as given.</summary>
    public required JsonElement Config { get; init; }
    /// <summary>What was read, kept, deduplicated and quarantined.</summary>
    public required ManifestCounts Counts { get; init; }
    /// <summary>The labels of a classification version, in id order.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
    /// <summary>The splits (train, validation, test) by name.</summary>
    public required IReadOnlyDictionary<string, ManifestSplit> Splits { get; init; }
    /// <summary>The quarantined inputs: counts by reason and the report blob.</summary>
    public required ManifestQuarantine Quarantine { get; init; }

    /// <summary>How the static masking seeds were derived (pretraining only).</summary>
    public string? Seeds { get; init; }

    /// <summary>snake_case, nulls left out: the format on disk.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The manifest as written to manifest.json.</summary>
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
    public MaskingOptions MaskingOptions() =>
        Config.ValueKind == JsonValueKind.Object
        && Config.TryGetProperty("pretraining", out var pretraining) && pretraining.ValueKind == JsonValueKind.Object
        && pretraining.TryGetProperty("masking", out var masking) && masking.ValueKind == JsonValueKind.Object
            ? masking.Deserialize<MaskingOptions>(JsonOptions) ?? new()
            : new();

    /// <summary>Reads manifest.json.</summary>
    public static DatasetManifest FromJson(string json) =>
        JsonSerializer.Deserialize<DatasetManifest>(json, JsonOptions) ?? throw new InvalidDataException("manifest.json is empty");
}

/// <summary>One input blob of a version.</summary>
/// <param name="Blob">Its name in the uploads container.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="ETag">Its ETag when read.</param>
public sealed record ManifestInput(string Blob, long Size, string ETag);

/// <summary>What ingestion read and kept.</summary>
/// <param name="Files">Input files read.</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="DocumentsRead">Documents found in them.</param>
/// <param name="Duplicates">Exact duplicates dropped.</param>
/// <param name="Documents">Documents kept.</param>
/// <param name="Quarantined">Items quarantined (with their reasons in the report).</param>
/// <param name="InvalidBytesReplaced">Invalid UTF-8 bytes replaced with U+FFFD.</param>
/// <param name="SkippedAttachments">Email attachments skipped.</param>
/// <param name="DocumentsByLabel">Kept documents per label (empty for pretraining data).</param>
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

/// <summary>One split of a version.</summary>
/// <param name="Documents">Documents in the split.</param>
/// <param name="Examples">Training examples (sequences) built from them.</param>
/// <param name="Tokens">Tokens in those examples.</param>
/// <param name="UnkRate">Share of [UNK] tokens.</param>
/// <param name="LengthBucketWidth">Width of a bucket of <paramref name="LengthHistogram"/>, in tokens.</param>
/// <param name="LengthHistogram">Examples per length bucket.</param>
/// <param name="LabelCounts">Examples per label (classification).</param>
/// <param name="Shards">The shard blobs, in order.</param>
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
    /// <summary>The blobs of the split's cleaned texts, one per example in shard order (classification versions).</summary>
    public IReadOnlyList<string>? Text { get; init; }
}

/// <summary>The version's quarantine.</summary>
/// <param name="Items">Items quarantined.</param>
/// <param name="ByReason">Items per reason.</param>
/// <param name="Report">The quarantine report blob.</param>
public sealed record ManifestQuarantine(int Items, IReadOnlyDictionary<string, int> ByReason, string Report);
