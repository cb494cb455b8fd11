using System.Text;

namespace BertFunctions.Tokenization;

/// <summary>Rust <c>char::to_lowercase</c>: the simple mapping plus the one unconditional multi-character mapping.</summary>
internal static class CaseMapping
{
    /// <summary>Writes the lowercase form of <paramref name="c"/> (one or two code points) and returns how many.</summary>
    internal static int ToLower(int c, Span<int> output)
    {
        if (c == 0x130)
        {
            // SpecialCasing.txt: LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to "i" + COMBINING DOT ABOVE.
            output[0] = 'i';
            output[1] = 0x307;
            return 2;
        }

        output[0] = c < 0x10000 ? char.ToLowerInvariant((char)c) : Rune.ToLowerInvariant(new Rune(c)).Value;
        return 1;
    }
}
