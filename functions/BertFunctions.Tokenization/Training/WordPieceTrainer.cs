using System.Text;

namespace BertFunctions.Tokenization.Training;

/// <summary>
/// Trains a WordPiece vocabulary from scratch the way HF tokenizers' <c>WordPieceTrainer</c> does: BPE
/// on the counts of pre-tokenized words with the <c>##</c> continuing-subword prefix, the merged tokens
/// becoming the WordPiece vocabulary. Deterministic: the same word counts give the same tokens, in the
/// same order, whatever order the counts come in. Thread-safe.
/// </summary>
/// <remarks>See <see cref="TrainedVocabulary"/> for the layout of the result.</remarks>
public sealed class WordPieceTrainer
{
    private readonly BertWordPieceTokenizer _preTokenizer;

    /// <exception cref="ArgumentOutOfRangeException">A size or limit is below 1.</exception>
    public WordPieceTrainer(WordPieceTrainerOptions? options = null)
    {
        Options = options ?? new WordPieceTrainerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.VocabularySize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.LimitAlphabet, 1, nameof(options));
        ArgumentNullException.ThrowIfNull(Options.Tokenizer, nameof(options));

        // Pre-tokenization does not depend on the vocabulary, only on the options: a vocabulary of just the
        // special tokens is enough to run the tokenizer's own pipeline, so words are split exactly as it will.
        using var specials = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', SpecialTokens) + "\n"));
        _preTokenizer = BertWordPieceTokenizer.FromVocab(specials, Options.Tokenizer);
    }

    /// <summary>The settings.</summary>
    public WordPieceTrainerOptions Options { get; }

    /// <summary>The special tokens, in the order they get ids 0 to 4: pad, unk, cls, sep, mask.</summary>
    private IEnumerable<string> SpecialTokens => Options.Tokenizer.SpecialTokens.Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Counts the pre-tokenized words of <paramref name="texts"/> (see
    /// <see cref="BertWordPieceTokenizer.CountWords"/>). Counts of several calls, for instance one per work
    /// unit, can be summed and passed to <see cref="Train(IReadOnlyDictionary{string, long}, CancellationToken)"/>.
    /// </summary>
    public Dictionary<string, long> CountWords(IEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _preTokenizer.CountWords(text, counts);
        }

        return counts;
    }

    /// <summary>Counts the words of <paramref name="texts"/>, then trains on them.</summary>
    public TrainedVocabulary Train(IEnumerable<string> texts, CancellationToken cancellationToken = default) =>
        Train(CountWords(texts, cancellationToken), cancellationToken);

    /// <summary>
    /// Trains on word counts. The words are taken as they are: they should come from
    /// <see cref="CountWords"/> or <see cref="BertWordPieceTokenizer.CountWords"/> with the same
    /// tokenizer options. Words with a count below 1 are ignored.
    /// </summary>
    public TrainedVocabulary Train(IReadOnlyDictionary<string, long> wordCounts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wordCounts);

        // Ordinal order makes the result independent of the dictionary's enumeration order.
        var counted = wordCounts.Where(p => p.Value > 0 && p.Key.Length > 0).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var words = counted.ConvertAll(p => p.Key);
        var counts = counted.ConvertAll(p => p.Value);

        var tokens = new List<string>(SpecialTokens);
        var alphabet = Alphabet.Select(words, counts, Options.LimitAlphabet);
        var characters = Array.ConvertAll(alphabet, Alphabet.Text);

        // Every kept character in both forms, so that held-out text never hits a character that the
        // vocabulary has only at the start of a word (HF adds a ## form only where training saw one).
        tokens.AddRange(characters);
        tokens.AddRange(characters.Select(c => Vocabulary.ContinuationPrefix + c));
        cancellationToken.ThrowIfCancellationRequested();

        var merger = new BpeMerger(tokens, words, counts);
        var merges = merger.Run(Options.VocabularySize, Options.MinFrequency, cancellationToken);
        return new TrainedVocabulary(tokens, Options.Tokenizer, alphabet.Length, merges);
    }
}
