using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Datasets;

/// <summary>
/// Dataset statistics collected while shards are written, one instance per work unit, then merged
/// (<see cref="Merge"/>) for manifest.json. Serialised with System.Text.Json in snake_case
/// (<see cref="ToJson"/>, <see cref="FromJson"/>). Token counts are over the unmasked sequences, [CLS] and
/// [SEP] included; they are kept whole (sparse) so merging stays exact, and <see cref="TopTokens"/> gives
/// the top-k for a plot.
/// </summary>
public sealed class ShardStatistics
{
    /// <summary>Width of the length-histogram buckets.</summary>
    public const int BucketWidth = 8;

    /// <summary>Ids from here on are counted sparsely (no real vocabulary is this large).</summary>
    private const int MaxDenseId = 1 << 22;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
    };

    private SortedDictionary<int, long> _tokenCounts = [];

    /// <summary>
    /// Counts by id not yet folded into <see cref="TokenCounts"/>: <see cref="Add"/> runs once per token written,
    /// and a sorted-tree update per token cost more than tokenizing; an array increment costs next to nothing.
    /// Folded (and cleared) whenever <see cref="TokenCounts"/> is read, so the dictionary is always complete.
    /// </summary>
    private long[] _denseCounts = [];

    private bool _hasDenseCounts;

    /// <summary>Empty statistics for sequences up to <paramref name="maxSeqLen"/> over a vocabulary with the given [UNK] and [MASK] ids.</summary>
    public ShardStatistics(int maxSeqLen, int unkTokenId, int maskTokenId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeqLen);
        MaxSeqLen = maxSeqLen;
        UnkTokenId = unkTokenId;
        MaskTokenId = maskTokenId;
        LengthHistogram = new long[(maxSeqLen + BucketWidth - 1) / BucketWidth];
    }

    /// <summary>Empty statistics for <paramref name="vocabulary"/>.</summary>
    public ShardStatistics(TokenVocabulary vocabulary, int maxSeqLen)
        : this(maxSeqLen, (vocabulary ?? throw new ArgumentNullException(nameof(vocabulary))).UnkId, vocabulary.MaskId)
    {
    }

    /// <summary>Longest sequence the histogram covers.</summary>
    public int MaxSeqLen { get; init; }

    /// <summary>The [UNK] id counted in <see cref="UnkTokens"/>.</summary>
    public int UnkTokenId { get; init; }

    /// <summary>The [MASK] id recognised in the breakdown.</summary>
    public int MaskTokenId { get; init; }

    /// <summary>Sequences (examples) written.</summary>
    public long Sequences { get; set; }

    /// <summary>Ids written, [CLS] and [SEP] included.</summary>
    public long Tokens { get; set; }

    /// <summary>[UNK] ids among <see cref="Tokens"/> (before masking).</summary>
    public long UnkTokens { get; set; }

    /// <summary><see cref="UnkTokens"/> / <see cref="Tokens"/>.</summary>
    public double UnkRate => Tokens == 0 ? 0 : (double)UnkTokens / Tokens;

    /// <summary>Width of the histogram's buckets (always <see cref="BucketWidth"/>).</summary>
    public int LengthBucketWidth { get; init; } = BucketWidth;

    /// <summary>Bucket i counts sequences of length 8i+1 .. 8i+8.</summary>
    public long[] LengthHistogram { get; init; }

    /// <summary>Masked positions and the 80/10/10 breakdown.</summary>
    public MaskingBreakdown Masked { get; init; } = new();

    /// <summary>Examples per label id (classification; unlabelled examples are not counted).</summary>
    public SortedDictionary<int, long> LabelCounts { get; init; } = [];

    /// <summary>Occurrences of every id that occurred.</summary>
    public SortedDictionary<int, long> TokenCounts
    {
        get
        {
            FoldDenseCounts();
            return _tokenCounts;
        }

        init => _tokenCounts = value;
    }

    /// <summary>The 100 most frequent ids (<see cref="TopTokens"/>), written to JSON for a plot and ignored when read back.</summary>
    public IReadOnlyList<TokenCount> MostFrequentTokens => TopTokens(100);

    /// <summary>Adds one example.</summary>
    public void Add(TrainingExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var ids = example.InputIds;
        Sequences++;
        Tokens += ids.Length;
        LengthHistogram[Math.Min((Math.Max(ids.Length, 1) - 1) / BucketWidth, LengthHistogram.Length - 1)]++;
        if (example.Label != TrainingExample.NoLabel)
        {
            LabelCounts[example.Label] = LabelCounts.GetValueOrDefault(example.Label) + 1;
        }

        var next = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if (next < example.MaskedPositions.Length && example.MaskedPositions[next] == i)
            {
                var original = example.MaskedOriginalIds[next++];
                Masked.Selected++;
                if (id == MaskTokenId)
                {
                    Masked.MaskToken++;
                }
                else if (id == original)
                {
                    Masked.Unchanged++;
                }
                else
                {
                    Masked.RandomToken++;
                }

                id = original;
            }

            if (id == UnkTokenId)
            {
                UnkTokens++;
            }

            Count(id);
        }
    }

    private void Count(int id)
    {
        if ((uint)id >= (uint)_denseCounts.Length)
        {
            if (id < 0 || id >= MaxDenseId)
            {
                // Not a vocabulary id: kept exactly, but sparse.
                _tokenCounts[id] = _tokenCounts.GetValueOrDefault(id) + 1;
                return;
            }

            Array.Resize(ref _denseCounts, Math.Min(MaxDenseId, Math.Max(id + 1, Math.Max(1024, _denseCounts.Length * 2))));
        }

        _denseCounts[id]++;
        _hasDenseCounts = true;
    }

    private void FoldDenseCounts()
    {
        if (!_hasDenseCounts)
        {
            return;
        }

        for (var id = 0; id < _denseCounts.Length; id++)
        {
            if (_denseCounts[id] != 0)
            {
                _tokenCounts[id] = _tokenCounts.GetValueOrDefault(id) + _denseCounts[id];
            }
        }

        Array.Clear(_denseCounts);
        _hasDenseCounts = false;
    }

    /// <summary>Adds <paramref name="other"/>'s counts to these (another work unit of the same dataset).</summary>
    /// <exception cref="ArgumentException">The other statistics use other special ids.</exception>
    public void Merge(ShardStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.UnkTokenId != UnkTokenId || other.MaskTokenId != MaskTokenId)
        {
            throw new ArgumentException("Statistics over different vocabularies (special ids differ) cannot be merged.", nameof(other));
        }

        if (other.LengthHistogram.Length > LengthHistogram.Length)
        {
            throw new ArgumentException($"Cannot merge statistics for max_seq_len {other.MaxSeqLen} into {MaxSeqLen}; merge into the larger one.", nameof(other));
        }

        Sequences += other.Sequences;
        Tokens += other.Tokens;
        UnkTokens += other.UnkTokens;
        for (var i = 0; i < other.LengthHistogram.Length; i++)
        {
            LengthHistogram[i] += other.LengthHistogram[i];
        }

        Masked.Merge(other.Masked);
        foreach (var (label, count) in other.LabelCounts)
        {
            LabelCounts[label] = LabelCounts.GetValueOrDefault(label) + count;
        }

        foreach (var (id, count) in other.TokenCounts)
        {
            _tokenCounts[id] = _tokenCounts.GetValueOrDefault(id) + count;
        }
    }

    /// <summary>The <paramref name="k"/> most frequent ids, most frequent first (ties by id).</summary>
    public IReadOnlyList<TokenCount> TopTokens(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return [.. TokenCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(k).Select(p => new TokenCount(p.Key, p.Value))];
    }

    /// <summary>The statistics as indented snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Statistics from <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="InvalidDataException">Not valid statistics JSON.</exception>
    public static ShardStatistics FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<ShardStatistics>(json, JsonOptions)
                ?? throw new InvalidDataException("Statistics JSON is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid statistics JSON: {e.Message}", e);
        }
    }

    /// <summary>For System.Text.Json: restores every field.</summary>
    [JsonConstructor]
    public ShardStatistics(int maxSeqLen, int unkTokenId, int maskTokenId, long[] lengthHistogram)
        : this(maxSeqLen, unkTokenId, maskTokenId)
    {
        ArgumentNullException.ThrowIfNull(lengthHistogram);
        if (lengthHistogram.Length != LengthHistogram.Length)
        {
            throw new InvalidDataException($"The length histogram has {lengthHistogram.Length} buckets; max_seq_len {maxSeqLen} needs {LengthHistogram.Length}.");
        }

        LengthHistogram = lengthHistogram;
    }
}
