using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>Turns charset names and byte order marks into encodings whose invalid bytes are counted.</summary>
internal sealed class Charsets
{
    private readonly CountingDecoderFallback _fallback;

    static Charsets()
    {
        // Legacy mail charsets (windows-1252, iso-8859-x, koi8-r, gb2312, big5, ...) live in the code pages provider.
        // Registering is idempotent and process-wide; MimeKit registers it too.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public Charsets(ReadStatistics stats)
    {
        _fallback = new CountingDecoderFallback(stats);
        Utf8 = Create(Encoding.UTF8.CodePage);
        Windows1252 = Create(1252);
    }

    /// <summary>UTF-8 without BOM, counting invalid bytes.</summary>
    public Encoding Utf8 { get; }

    /// <summary>The de-facto charset of undeclared 8-bit mail.</summary>
    public Encoding Windows1252 { get; }

    /// <summary>The encoding a byte order mark announces, and the mark's length; UTF-8 when there is none.</summary>
    public (Encoding Encoding, int BomLength) FromByteOrderMark(ReadOnlySpan<byte> head) => head switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (Utf8, 3),
        [0xFF, 0xFE, 0x00, 0x00, ..] => (Create(12000), 4),
        [0x00, 0x00, 0xFE, 0xFF, ..] => (Create(12001), 4),
        [0xFF, 0xFE, ..] => (Create(1200), 2),
        [0xFE, 0xFF, ..] => (Create(1201), 2),
        _ => (Utf8, 0),
    };

    /// <summary>
    /// The encoding for a declared MIME charset, or <see langword="null"/> when it is missing, <c>us-ascii</c> (8-bit text
    /// labelled us-ascii is common and is never really ASCII) or unknown: the caller then guesses.
    /// <c>iso-8859-1</c> is read as its superset windows-1252, as browsers do.
    /// </summary>
    public Encoding? FromCharset(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return null;
        }

        var name = charset.Trim().Trim('"', '\'').ToLowerInvariant();
        if (name is "us-ascii" or "ascii" or "ansi_x3.4-1968" or "646" or "us")
        {
            return null;
        }

        if (name is "iso-8859-1" or "iso8859-1" or "latin1" or "latin-1" or "l1" or "iso_8859-1" or "cp819")
        {
            return Windows1252;
        }

        try
        {
            return Create(Encoding.GetEncoding(name).CodePage);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Decodes bytes in one pass through a <see cref="Decoder"/>, so each invalid byte is counted once.</summary>
    public static string Decode(Encoding encoding, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        var written = decoder.GetChars(bytes, chars, flush: true);
        return new string(chars, 0, written);
    }

    /// <summary>Whether the bytes are well-formed UTF-8.</summary>
    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private Encoding Create(int codePage) => Encoding.GetEncoding(codePage, EncoderFallback.ReplacementFallback, _fallback);
}
