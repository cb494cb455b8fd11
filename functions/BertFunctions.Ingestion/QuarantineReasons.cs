namespace BertFunctions.Ingestion;

/// <summary>The stable machine codes of <see cref="QuarantineEntry.Reason"/>. They are part of the contract: reports group by them.</summary>
public static class QuarantineReasons
{
    /// <summary>The input has zero bytes.</summary>
    public const string EmptyFile = "empty-file";

    /// <summary>The input is not text: NUL bytes, or more than 30 % control or invalid UTF-8 bytes in its first 8 KB.</summary>
    public const string BinaryFile = "binary-file";

    /// <summary>The input (or the range read, or the decompressed data, Parquet columns included) is larger than <see cref="IngestionOptions.MaxFileBytes"/>.</summary>
    public const string FileTooLarge = "file-too-large";

    /// <summary>A line is longer than <see cref="IngestionOptions.MaxLineBytes"/> (or a CSV field or Parquet text value longer than that many characters).</summary>
    public const string LineTooLong = "line-too-long";

    /// <summary>
    /// A JSON Lines or CSV/TSV record that does not parse or lacks the text field; a Parquet row whose text is null; a
    /// Parquet file (the whole file) without the text column, or whose text or label column holds values that are not text.
    /// </summary>
    public const string MalformedRow = "malformed-row";

    /// <summary>A whole-file document (an e-mail) that its parser rejects; a Parquet file that does not open (truncated, not Parquet) or a row group of one that does not decode.</summary>
    public const string MalformedDocument = "malformed-document";

    /// <summary>Labeled data (<see cref="IngestionOptions.Labeled"/>) and the record has no label.</summary>
    public const string MissingLabel = "missing-label";

    /// <summary>The label (after the label map) is not one of <see cref="IngestionOptions.AllowedLabels"/>.</summary>
    public const string UnknownLabel = "unknown-label";

    /// <summary>Fewer than <see cref="IngestionOptions.MinDocumentChars"/> characters after cleaning.</summary>
    public const string TooShort = "too-short";

    /// <summary>More than <see cref="IngestionOptions.MaxDocumentChars"/> characters after cleaning.</summary>
    public const string TooLong = "too-long";

    /// <summary>Nothing is left after cleaning (for e-mail: no text in the body).</summary>
    public const string EmptyAfterCleaning = "empty-after-cleaning";

    /// <summary>A compressed input that does not decompress.</summary>
    public const string CorruptArchive = "corrupt-archive";

    /// <summary>An input whose extension names a format this reader does not read (e.g. <c>.pdf</c>, <c>.zip</c>).</summary>
    public const string UnsupportedFormat = "unsupported-format";
}
