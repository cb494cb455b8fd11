using BertFunctions.Datasets;
using BertFunctions.Ingestion;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The unit ingestion fans out over: one byte range of a large line-based blob, or a batch of whole blobs (small
/// files are grouped so that a corpus of thousands of emails does not become thousands of tiny shards).
/// </summary>
public sealed record WorkUnit(int Index, IReadOnlyList<UnitInput> Inputs);

/// <summary>One input of a work unit: a whole blob, or the byte range of it that the unit owns.</summary>
public sealed record UnitInput(string BlobName, string RelativePath, long Size, string ETag, ByteRange? Range);

/// <summary>The inputs of a run and their fingerprint; <see cref="ExistingVersion"/> is set when these exact inputs were ingested before.</summary>
public sealed record IngestionPlan(string Dataset, string Run, string Fingerprint, IReadOnlyList<WorkUnit> Units, string? ExistingVersion);

/// <summary>What reading one unit produced (its documents and quarantine are in the run's work files).</summary>
public sealed record UnitReadResult(
    int Index,
    int Documents,
    int Quarantined,
    long Bytes,
    long InvalidBytesReplaced,
    int SkippedAttachments,
    IReadOnlyDictionary<string, int> DocumentsByLabel,
    IReadOnlyDictionary<string, int> QuarantinedByReason);

/// <summary>After deduplication and splitting: the content-addressed version and what goes into it.</summary>
public sealed record ConsolidationResult(
    string Version,
    bool AlreadyExists,
    int Documents,
    int Duplicates,
    IReadOnlyDictionary<string, int> DocumentsBySplit,
    IReadOnlyList<string> Labels);

/// <summary>Shards written for one unit, with the statistics of each split (JSON of <c>ShardStatistics</c>).</summary>
public sealed record UnitShardResult(int Index, IReadOnlyList<string> Shards, IReadOnlyDictionary<string, string> StatisticsBySplit, IReadOnlyList<string>? Texts = null);

/// <summary>The outcome of an ingestion: the version, and whether it already existed.</summary>
public sealed record IngestionResult(string Dataset, string Version, bool Reused, DatasetManifest Manifest);

/// <summary>The splits, in the order shards and manifests list them.</summary>
public static class Splits
{
    public const string Train = "train";
    public const string Validation = "validation";
    public const string Test = "test";

    public static IReadOnlyList<string> All { get; } = [Train, Validation, Test];

    /// <summary>Codes stored per document in a unit's assignment file; 0 marks a duplicate.</summary>
    public static byte Code(string split) => split switch { Train => 1, Validation => 2, Test => 3, _ => throw new ArgumentOutOfRangeException(nameof(split)) };

    public static string? Name(byte code) => code switch { 1 => Train, 2 => Validation, 3 => Test, _ => null };
}
