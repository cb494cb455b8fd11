using System.Buffers;
using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>Looks at the first bytes of an input: is it text at all, and is it an RFC 822 message?</summary>
internal static class ContentSniffer
{
    /// <summary>How many bytes are sniffed.</summary>
    public const int HeadBytes = 8 * 1024;

    private const double MaxSuspiciousShare = 0.30;

    // Header fields that start real messages and mbox files; one of them must appear for a file to count as e-mail.
    private static readonly SearchValues<string> KnownHeaders = SearchValues.Create(
        ["received", "return-path", "from", "subject", "message-id", "date", "to", "delivered-to", "mime-version", "x-from-line", "reply-to", "sender", "x-mailer", "content-type"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why the head is not text, or <see langword="null"/> when it is: any NUL byte (unless a UTF-16/32 byte order mark says
    /// so), or more than 30 % control bytes, counting invalid UTF-8 too unless <paramref name="countInvalidUtf8"/> is false
    /// (e-mail declares its own 8-bit charsets).
    /// </summary>
    public static string? WhyBinary(ReadOnlySpan<byte> head, bool countInvalidUtf8)
    {
        if (head.IsEmpty || head is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] or [0x00, 0x00, 0xFE, 0xFF, ..])
        {
            return null;
        }

        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            return $"NUL byte at offset {nul}";
        }

        var control = 0;
        foreach (var b in head)
        {
            if (b is < 0x20 and not (byte)'\n' and not (byte)'\r' and not (byte)'\t' and not 0x0C and not 0x1B or 0x7F)
            {
                control++;
            }
        }

        var invalid = countInvalidUtf8 ? InvalidUtf8Bytes(head) : 0;
        var share = (control + invalid) / (double)head.Length;
        return share > MaxSuspiciousShare
            ? $"{share:P0} of the first {head.Length} bytes are control bytes ({control}) or invalid UTF-8 ({invalid})"
            : null;
    }

    /// <summary>
    /// Whether the head reads as an RFC 822 message: optionally an mbox <c>From </c> line, then header fields (continuation
    /// lines allowed) including a well-known one, ended by a blank line (or still going where the head ends).
    /// </summary>
    public static bool LooksLikeEmail(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split('\n');
        var first = 0;
        if (lines.Length > 0 && lines[0].StartsWith("From ", StringComparison.Ordinal))
        {
            first = 1;
        }

        var fields = 0;
        var known = false;
        // The last piece may be cut off by the end of the head: it decides nothing.
        for (var i = first; i < lines.Length - 1; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                return fields > 0 && known;
            }

            if (line[0] is ' ' or '\t')
            {
                if (fields == 0)
                {
                    return false;
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsFieldName(line.AsSpan(0, colon)))
            {
                return false;
            }

            fields++;
            known |= KnownHeaders.Contains(line[..colon]);
        }

        return head.Length >= HeadBytes && fields >= 2 && known;
    }

    private static bool IsFieldName(ReadOnlySpan<char> name)
    {
        // RFC 5322: printable US-ASCII except colon; no spaces.
        foreach (var c in name)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static int InvalidUtf8Bytes(ReadOnlySpan<byte> bytes)
    {
        var invalid = 0;
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                // A character cut by the end of the head is not evidence of anything.
                break;
            }

            if (status == OperationStatus.InvalidData)
            {
                invalid += consumed;
            }

            bytes = bytes[consumed..];
        }

        return invalid;
    }
}
