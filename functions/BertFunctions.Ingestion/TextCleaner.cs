using System.Globalization;
using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>
/// Normalizes text so that equal content gives equal strings (the key of exact deduplication) and the tokenizer sees no junk.
/// </summary>
/// <remarks>
/// In order of effect:
/// <list type="bullet">
/// <item>Line breaks <c>\r\n</c>, <c>\r</c>, <c>\v</c>, <c>\f</c>, U+0085 and U+2028 become <c>\n</c>; U+2029 (paragraph separator) becomes a blank line.</item>
/// <item>Removed: control characters (Unicode Cc) other than <c>\n</c> and <c>\t</c>; format characters (Cf: soft hyphen,
/// zero-width space, BOM, bidi marks, ...) except ZWNJ U+200C and ZWJ U+200D, which change how Persian, Indic and emoji text
/// reads; lone surrogates; noncharacters U+FFFE/U+FFFF; and U+FFFD, the decoder's mark for invalid bytes (they are counted in
/// <see cref="ReadStatistics.InvalidBytesReplaced"/> instead, so the text carries no trace of the broken encoding).</item>
/// <item>Tabs and Unicode spaces (Zs, e.g. no-break space) become spaces; runs of them collapse to one.</item>
/// <item>Each line is trimmed; three or more line breaks collapse to two, so paragraphs survive; the whole is trimmed.</item>
/// </list>
/// No Unicode normalization or case folding: that is the tokenizer's business.
/// </remarks>
public static class TextCleaner
{
    /// <summary>Returns the cleaned form of <paramref name="text"/> (idempotent: cleaning twice changes nothing).</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new StringBuilder(text.Length);
        var pendingNewlines = 0;
        var pendingSpace = false;
        var lineHasContent = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (Classify(text, i, out var width))
            {
                case CharClass.Newline:
                    // \r\n is one break.
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    pendingNewlines += c == '\u2029' ? 2 : 1;
                    pendingSpace = false;
                    lineHasContent = false;
                    break;
                case CharClass.Space:
                    pendingSpace = lineHasContent;
                    break;
                case CharClass.Removed:
                    i += width - 1;
                    break;
                default:
                    if (!lineHasContent)
                    {
                        if (output.Length > 0)
                        {
                            output.Append('\n', Math.Min(pendingNewlines, 2));
                        }

                        pendingNewlines = 0;
                    }
                    else if (pendingSpace)
                    {
                        output.Append(' ');
                    }

                    output.Append(text, i, width);
                    i += width - 1;
                    pendingSpace = false;
                    lineHasContent = true;
                    break;
            }
        }

        return output.ToString();
    }

    private enum CharClass
    {
        Kept,
        Newline,
        Space,
        Removed,
    }

    private static CharClass Classify(string text, int index, out int width)
    {
        width = 1;
        var c = text[index];
        if (c < 0x80)
        {
            // ASCII fast path: most text is here.
            return c switch
            {
                '\n' or '\r' or '\v' or '\f' => CharClass.Newline,
                ' ' or '\t' => CharClass.Space,
                < ' ' or '\x7f' => CharClass.Removed,
                _ => CharClass.Kept,
            };
        }

        if (char.IsHighSurrogate(c))
        {
            if (index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                width = 2;
                return CharUnicodeInfo.GetUnicodeCategory(text, index) == UnicodeCategory.Format ? CharClass.Removed : CharClass.Kept;
            }

            return CharClass.Removed;
        }

        switch (c)
        {
            case '\u0085' or '\u2028' or '\u2029':
                return CharClass.Newline;
            case '\u200C' or '\u200D':
                return CharClass.Kept;
            case '\uFFFD' or '\uFFFE' or '\uFFFF':
                return CharClass.Removed;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate => CharClass.Removed,
            UnicodeCategory.SpaceSeparator => CharClass.Space,
            _ => CharClass.Kept,
        };
    }
}
