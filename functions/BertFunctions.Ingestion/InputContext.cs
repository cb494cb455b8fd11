using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>Everything a format reader needs about one opened input.</summary>
/// <param name="Name">The input's name (the Source of its records).</param>
/// <param name="Data">The decoded-from-gzip bytes from offset 0 (the sniffed head replayed first).</param>
/// <param name="Head">The first bytes of <paramref name="Data"/>.</param>
/// <param name="Encoding">The text encoding (from the byte order mark; UTF-8 without one), counting invalid bytes.</param>
/// <param name="BomLength">Bytes of byte order mark at the start of <paramref name="Data"/>.</param>
/// <param name="Seekable">The raw input, when ranges may seek in it (not compressed, not transcoded); otherwise <see langword="null"/>.</param>
/// <param name="Range">The byte range to read, for line-based formats.</param>
/// <param name="FolderLabel">The label the input's folder gives, if any.</param>
/// <param name="Charsets">Encodings that count invalid bytes into this read's statistics.</param>
/// <param name="Stats">This read's statistics.</param>
internal sealed record InputContext(
    string Name,
    Stream Data,
    ReadOnlyMemory<byte> Head,
    Encoding Encoding,
    int BomLength,
    Stream? Seekable,
    ByteRange? Range,
    string? FolderLabel,
    Charsets Charsets,
    ReadStatistics Stats);
