namespace BertFunctions.Tokenization;

/// <summary>
/// Character predicates exactly as HF tokenizers evaluates them: Rust's <c>char::is_whitespace</c>
/// (Unicode White_Space, which differs from <see cref="char.IsWhiteSpace(char)"/>), and the
/// Unicode 9.0 tables of the <c>unicode_categories</c> crate for "other", punctuation and
/// non-spacing marks (newer .NET Unicode data would disagree on characters assigned since).
/// </summary>
internal static class CharClass
{
    internal const byte Other = 1;
    internal const byte NonspacingMark = 2;
    internal const byte Punctuation = 4;
    internal const byte Whitespace = 8;
    internal const byte Chinese = 16;

    // One byte per BMP code point, computed once from the range tables; read-only afterwards.
    private static readonly byte[] Bmp = BuildBmp();

    /// <summary>The flags of a code point.</summary>
    internal static byte Of(int codePoint) => codePoint < 0x10000 ? Bmp[codePoint] : Supplementary(codePoint);

    /// <summary>Rust <c>char::is_whitespace</c>: the Unicode White_Space property.</summary>
    internal static bool IsRustWhitespace(int c) => c switch
    {
        >= 0x9 and <= 0xD => true,
        0x20 or 0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>HF's <c>is_chinese_char</c>: the CJK ideograph blocks padded with spaces.</summary>
    internal static bool IsChinese(int c) =>
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
        (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);

    /// <summary>Rust <c>char::is_ascii_punctuation</c>.</summary>
    internal static bool IsAsciiPunctuation(int c) =>
        (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);

    private static byte Supplementary(int c)
    {
        byte flags = 0;
        if (InRanges(Unicode9Ranges.Other, c))
        {
            flags |= Other;
        }

        if (InRanges(Unicode9Ranges.NonspacingMark, c))
        {
            flags |= NonspacingMark;
        }

        if (InRanges(Unicode9Ranges.Punctuation, c))
        {
            flags |= Punctuation;
        }

        if (IsChinese(c))
        {
            flags |= Chinese;
        }

        return flags;
    }

    /// <summary>Binary search in a table of inclusive (start, end) pairs.</summary>
    private static bool InRanges(ReadOnlySpan<int> ranges, int c)
    {
        int lo = 0, hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (c < ranges[2 * mid])
            {
                hi = mid - 1;
            }
            else if (c > ranges[(2 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] BuildBmp()
    {
        var table = new byte[0x10000];
        Mark(table, Unicode9Ranges.Other, Other);
        Mark(table, Unicode9Ranges.NonspacingMark, NonspacingMark);
        Mark(table, Unicode9Ranges.Punctuation, Punctuation);
        for (var c = 0; c < table.Length; c++)
        {
            if (IsRustWhitespace(c))
            {
                table[c] |= Whitespace;
            }

            if (IsAsciiPunctuation(c))
            {
                table[c] |= Punctuation;
            }

            if (IsChinese(c))
            {
                table[c] |= Chinese;
            }
        }

        return table;
    }

    private static void Mark(byte[] table, ReadOnlySpan<int> ranges, byte flag)
    {
        for (var i = 0; i < ranges.Length; i += 2)
        {
            for (var c = ranges[i]; c <= ranges[i + 1] && c < table.Length; c++)
            {
                table[c] |= flag;
            }
        }
    }
}
