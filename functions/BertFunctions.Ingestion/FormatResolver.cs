namespace BertFunctions.Ingestion;

/// <summary>Decides the format of an input from its name and, for text, its first bytes.</summary>
internal static class FormatResolver
{
    /// <summary>Extensions of formats this reader does not read; anything else unknown is tried as text.</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        ".zip", ".tar", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".zst", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
        ".arrow", ".avro", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".mp3", ".mp4", ".wav", ".exe", ".dll", ".bin",
    };

    /// <summary>The format the extension names; <see cref="InputFormat.Auto"/> for text that may be e-mail; <see langword="null"/> when unsupported.</summary>
    public static InputFormat? ByExtension(string name) => InputNames.Extension(name) switch
    {
        ".jsonl" or ".ndjson" => InputFormat.JsonLines,
        ".csv" => InputFormat.Csv,
        ".tsv" or ".tab" => InputFormat.Tsv,
        ".eml" => InputFormat.Email,
        ".parquet" => InputFormat.Parquet,
        var extension when Unsupported.Contains(extension) => null,
        _ => InputFormat.Auto,
    };

    /// <summary>Text that starts with RFC 822 header fields is e-mail; anything else is text.</summary>
    public static InputFormat Sniff(ReadOnlySpan<byte> head) =>
        ContentSniffer.LooksLikeEmail(head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head) ? InputFormat.Email : InputFormat.Text;
}
