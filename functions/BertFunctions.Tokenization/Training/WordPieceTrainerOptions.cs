namespace BertFunctions.Tokenization.Training;

/// <summary>Settings of <see cref="WordPieceTrainer"/>, named and defaulted after HF tokenizers' <c>WordPieceTrainer</c>.</summary>
public sealed record WordPieceTrainerOptions
{
    /// <summary>
    /// Tokens wanted, special tokens and alphabet included (default 30,522, bert-base-uncased's size).
    /// Training stops earlier when no pair is left at <see cref="MinFrequency"/>; it never drops
    /// alphabet tokens, so the result is larger when the specials and the alphabet alone exceed this.
    /// </summary>
    public int VocabularySize { get; init; } = 30_522;

    /// <summary>Fewest occurrences (weighted by word count) a pair needs to be merged. Default 2.</summary>
    public long MinFrequency { get; init; } = 2;

    /// <summary>
    /// Most distinct characters kept, the most frequent first (ties: lower code point); other characters
    /// are dropped from the words before merging, as HF does. Default 1000.
    /// </summary>
    public int LimitAlphabet { get; init; } = 1000;

    /// <summary>
    /// Normalization, pre-tokenization and special tokens of the tokenizer the vocabulary is for: words
    /// are counted with these settings, and the vocabulary is meant to be loaded with them.
    /// </summary>
    public BertTokenizerOptions Tokenizer { get; init; } = new();
}
