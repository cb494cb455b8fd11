namespace BertFunctions.Tokenization.Training;

/// <summary>The characters a vocabulary is built from: code points of the words, the most frequent kept.</summary>
internal static class Alphabet
{
    /// <summary>
    /// The <paramref name="limit"/> most frequent code points (occurrences weighted by word count; ties
    /// go to the lower code point, for determinism), in code point order.
    /// </summary>
    internal static int[] Select(IReadOnlyList<string> words, IReadOnlyList<long> counts, int limit)
    {
        var frequency = new Dictionary<int, long>();
        for (var w = 0; w < words.Count; w++)
        {
            var word = words[w];
            for (var i = 0; i < word.Length; i += Length(word, i))
            {
                frequency[CodePoint(word, i)] = frequency.GetValueOrDefault(CodePoint(word, i)) + counts[w];
            }
        }

        return [.. frequency.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(limit).Select(p => p.Key).Order()];
    }

    /// <summary>UTF-16 units of the code point at <paramref name="i"/>: 2 for a surrogate pair, else 1.</summary>
    internal static int Length(string word, int i) =>
        char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;

    /// <summary>The code point at <paramref name="i"/>; a lone surrogate stands for itself (it collides with no scalar value).</summary>
    internal static int CodePoint(string word, int i) =>
        Length(word, i) == 2 ? char.ConvertToUtf32(word[i], word[i + 1]) : word[i];

    /// <summary>The text of a code point from <see cref="CodePoint"/>.</summary>
    internal static string Text(int codePoint) =>
        codePoint < 0x10000 ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint);
}
