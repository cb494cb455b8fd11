namespace BertFunctions.Ingestion;

/// <summary>
/// A half-open byte range <c>[Start, End)</c> of one input, so that a large line-based file (JSON Lines, or text in
/// <see cref="TextDocumentMode.BlankLineSeparated"/> mode) can be split into work units read independently.
/// A range owns the records that start inside it (the Hadoop convention): a reader skips to the first record start at or
/// after <see cref="Start"/> and reads past <see cref="End"/> to finish its last record. Ranges that partition
/// <c>[0, length)</c> therefore yield, together, exactly the records of the whole file. Inputs that cannot be split
/// (CSV/TSV, e-mail, whole-file text, gzip, UTF-16) are read whole by the range that contains offset 0; other ranges yield nothing.
/// </summary>
/// <param name="Start">First byte offset owned (inclusive).</param>
/// <param name="End">Offset after the last byte owned (exclusive).</param>
public readonly record struct ByteRange(long Start, long End)
{
    /// <summary>Bytes in the range.</summary>
    public long Length => End - Start;

    /// <summary>Whether <paramref name="offset"/> falls inside the range.</summary>
    public bool Contains(long offset) => offset >= Start && offset < End;

    /// <summary>Splits <c>[0, length)</c> into ranges of at most <paramref name="size"/> bytes (at least one range, even for an empty input).</summary>
    public static IReadOnlyList<ByteRange> Split(long length, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var ranges = new List<ByteRange>();
        for (long start = 0; start < length || ranges.Count == 0; start += size)
        {
            ranges.Add(new ByteRange(start, Math.Min(length, start + size)));
        }

        return ranges;
    }
}
