using System.Text;

namespace BertFunctions.Tokenization;

/// <summary>HF's WordPiece decoder (prefix <c>##</c>, cleanup on), skipping [CLS], [SEP] and [PAD].</summary>
internal static class WordPieceDecoder
{
    internal static string Decode(IEnumerable<int> ids, string[] vocabulary, ISet<int> skipped)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)vocabulary.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, "Id is not in the vocabulary.");
            }

            if (skipped.Contains(id))
            {
                continue;
            }

            var token = vocabulary[id];
            if (token.StartsWith(Vocabulary.ContinuationPrefix, StringComparison.Ordinal))
            {
                text.Append(token, Vocabulary.ContinuationPrefix.Length, token.Length - Vocabulary.ContinuationPrefix.Length);
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                text.Append(token);
            }
        }

        return Cleanup(text.ToString());
    }

    /// <summary>HF's <c>cleanup</c>: glue punctuation and English contractions back on.</summary>
    private static string Cleanup(string text) => text
        .Replace(" .", ".", StringComparison.Ordinal)
        .Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal)
        .Replace(" ,", ",", StringComparison.Ordinal)
        .Replace(" ' ", "'", StringComparison.Ordinal)
        .Replace(" n't", "n't", StringComparison.Ordinal)
        .Replace(" 'm", "'m", StringComparison.Ordinal)
        .Replace(" do not", " don't", StringComparison.Ordinal)
        .Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal)
        .Replace(" 're", "'re", StringComparison.Ordinal);
}
