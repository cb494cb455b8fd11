namespace BertFunctions.Datasets;

/// <summary>The fixed fields of a shard header (the example count is kept by the writer and reader).</summary>
/// <param name="Kind">Record layout.</param>
/// <param name="VocabularySize">Every id is below this.</param>
/// <param name="VocabularyHash">SHA-256 of the vocab file's bytes (32 bytes).</param>
/// <param name="MaxSeqLen">Every sequence is at most this long (8..512).</param>
public sealed record ShardHeader(ShardKind Kind, int VocabularySize, byte[] VocabularyHash, int MaxSeqLen)
{
    /// <summary>Bytes per id in records: 2 (uint16) when the vocabulary has fewer than 65,536 ids, else 4 (int32).</summary>
    public int IdWidth => VocabularySize < 65_536 ? 2 : 4;

    /// <summary>Throws when a field cannot be written.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown shard kind.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(VocabularySize);
        ArgumentNullException.ThrowIfNull(VocabularyHash);
        if (VocabularyHash.Length != ShardFormat.HashSize)
        {
            throw new ArgumentException($"The vocabulary hash must be {ShardFormat.HashSize} bytes (SHA-256), not {VocabularyHash.Length}.", nameof(VocabularyHash));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSeqLen, SequencePacker.MinSeqLen);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSeqLen, SequencePacker.MaxSupportedSeqLen);
    }

    /// <summary>True when <paramref name="other"/> has the same fields (the hash compared by content).</summary>
    public bool SameAs(ShardHeader other) =>
        other is not null && Kind == other.Kind && VocabularySize == other.VocabularySize && MaxSeqLen == other.MaxSeqLen
        && VocabularyHash.AsSpan().SequenceEqual(other.VocabularyHash);
}
