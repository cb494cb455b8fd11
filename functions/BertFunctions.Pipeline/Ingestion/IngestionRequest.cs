using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>Train / validation / test fractions (they must add up to 1).</summary>
public sealed record SplitRatios(double Train = 0.8, double Validation = 0.1, double Test = 0.1)
{
    public void Validate()
    {
        if (Train <= 0 || Validation < 0 || Test < 0 || Math.Abs(Train + Validation + Test - 1) > 1e-9)
        {
            throw new ArgumentException($"split ratios must be non-negative with train > 0 and add up to 1; got {Train}/{Validation}/{Test}");
        }
    }
}

/// <summary>One ingestion: which dataset, how to read it, and what examples to build.</summary>
public sealed record IngestionRequest
{
    /// <summary>The vocabulary of the bundled pretrained model (bert-base-uncased).</summary>
    public const string BundledVocabulary = "minilm";

    public required string Dataset { get; init; }

    public DatasetKind Kind { get; init; } = DatasetKind.Classification;

    public IngestionOptions Reading { get; init; } = new();

    public PretrainingOptions Pretraining { get; init; } = new();

    public ClassificationOptions Classification { get; init; } = new();

    public SplitRatios Split { get; init; } = new();

    /// <summary><c>minilm</c> (the bundled bert-base-uncased vocabulary) or a blob in the datasets container holding a vocab.txt.</summary>
    public string Vocabulary { get; init; } = BundledVocabulary;

    /// <summary>Lower-case and strip accents (must match the vocabulary).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Line-based inputs larger than this are split into byte ranges, each its own work unit.</summary>
    public long WorkUnitBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Whole files are batched into work units of at most this many files (and <see cref="WorkUnitBytes"/>).</summary>
    public int FilesPerUnit { get; init; } = 1000;

    /// <summary>A shard rolls over before it would exceed this size.</summary>
    public long MaxShardBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Which upload area to read: by default the one of <see cref="Kind"/>. Domain-adaptive pretraining may read the
    /// labeled uploads as unlabeled text (<c>Kind = Pretraining, UploadsOf = Classification</c>) when a dataset has no
    /// separate domain corpus. Not part of the version: the same content gives the same version.
    /// </summary>
    public DatasetKind? UploadsOf { get; init; }

    /// <summary>Where the inputs are.</summary>
    public string UploadPrefix => (UploadsOf ?? Kind) == DatasetKind.Pretraining
        ? StorageLayout.RawPrefix(Dataset)
        : StorageLayout.LabeledPrefix(Dataset);

    public void Validate()
    {
        BlobNames.Dataset(Dataset);
        Reading.Validate();
        Split.Validate();
        if (WorkUnitBytes < 1024 * 1024 || MaxShardBytes < 64 * 1024 || FilesPerUnit < 1)
        {
            throw new ArgumentException("work units must be at least 1 MiB and one file, shards at least 64 KiB");
        }
    }
}
