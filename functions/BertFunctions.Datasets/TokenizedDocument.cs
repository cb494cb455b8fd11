using BertFunctions.Tokenization;

namespace BertFunctions.Datasets;

/// <summary>One document as the packer sees it: its sentences, each a list of word-piece ids without special tokens.</summary>
/// <param name="Sentences">In document order; packing never reorders them and never mixes two documents.</param>
public sealed record TokenizedDocument(IReadOnlyList<int[]> Sentences)
{
    /// <summary>Splits cleaned text with <see cref="SentenceSplitter"/> and tokenizes each sentence; sentences with no pieces are dropped.</summary>
    public static TokenizedDocument FromText(BertWordPieceTokenizer tokenizer, string text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = new List<int>();
        var sentences = new List<int[]>();
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            ids.Clear();
            if (tokenizer.EncodeIdsInto(sentence, ids) > 0)
            {
                sentences.Add([.. ids]);
            }
        }

        return new TokenizedDocument(sentences);
    }

    /// <summary>Total number of word pieces.</summary>
    public int TokenCount => Sentences.Sum(s => s.Length);
}
