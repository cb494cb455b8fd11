namespace BertFunctions.Ingestion;

/// <summary>How the bytes of an input are interpreted.</summary>
public enum InputFormat
{
    /// <summary>Decide by extension (<c>.txt</c>, <c>.jsonl</c>/<c>.ndjson</c>, <c>.csv</c>, <c>.tsv</c>, <c>.eml</c>, <c>.parquet</c>, <c>.gz</c> of the text formats), sniffing RFC 822 headers in text files.</summary>
    Auto,

    /// <summary>Plain text; see <see cref="TextDocumentMode"/> for how it splits into documents.</summary>
    Text,

    /// <summary>One JSON object per line, the text in <see cref="IngestionOptions.TextField"/>.</summary>
    JsonLines,

    /// <summary>RFC 4180 comma-separated values with a header row.</summary>
    Csv,

    /// <summary>Tab-separated values with a header row; fields may be quoted as in RFC 4180.</summary>
    Tsv,

    /// <summary>One RFC 822 / MIME message per file (an mbox <c>From </c> first line is allowed).</summary>
    Email,

    /// <summary>
    /// Apache Parquet: the text in the column <see cref="IngestionOptions.TextField"/> names, read one row group at a time
    /// (never split into byte ranges; gzip around it is not read, Parquet compresses its own pages).
    /// </summary>
    Parquet,
}
