using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace BertFunctions.Tokenization;

/// <summary>
/// BERT WordPiece tokenizer whose output equals Hugging Face's Rust <c>tokenizers</c> for a
/// BertTokenizerFast (BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing, the five special
/// tokens matched literally in the raw text). Thread-safe.
/// </summary>
/// <remarks>
/// The <see cref="Tokenizer"/> members (EncodeToIds, EncodeToTokens, CountTokens, GetIndexByTokenCount)
/// work on word pieces without [CLS]/[SEP] and always apply the whole HF pipeline (the
/// considerNormalization and considerPreTokenization flags are ignored). <see cref="Encode"/> builds model input.
/// </remarks>
public sealed class BertWordPieceTokenizer : Tokenizer
{
    private readonly Vocabulary _vocab;
    private readonly BertPipeline _pipeline;
    private readonly HashSet<int> _skippedWhenDecoding;

    private BertWordPieceTokenizer(Vocabulary vocab, BertTokenizerOptions options)
    {
        _vocab = vocab;
        Options = options;
        _pipeline = new BertPipeline(vocab, options);
        UnkTokenId = vocab.TokenToId[options.UnkToken];
        ClsTokenId = vocab.TokenToId[options.ClsToken];
        SepTokenId = vocab.TokenToId[options.SepToken];
        PadTokenId = vocab.TokenToId[options.PadToken];
        MaskTokenId = vocab.TokenToId[options.MaskToken];
        _skippedWhenDecoding = [ClsTokenId, SepTokenId, PadTokenId];
    }

    /// <summary>The settings this tokenizer was built with.</summary>
    public BertTokenizerOptions Options { get; }

    /// <summary>Number of distinct tokens in the vocabulary.</summary>
    public int VocabularySize => _vocab.Count;

    /// <summary>Id of <see cref="BertTokenizerOptions.ClsToken"/>.</summary>
    public int ClsTokenId { get; }

    /// <summary>Id of <see cref="BertTokenizerOptions.SepToken"/>.</summary>
    public int SepTokenId { get; }

    /// <summary>Id of <see cref="BertTokenizerOptions.PadToken"/>.</summary>
    public int PadTokenId { get; }

    /// <summary>Id of <see cref="BertTokenizerOptions.MaskToken"/>.</summary>
    public int MaskTokenId { get; }

    /// <summary>Id of <see cref="BertTokenizerOptions.UnkToken"/>.</summary>
    public int UnkTokenId { get; }

    /// <summary>Loads an HF <c>vocab.txt</c> (one token per line, id = line number).</summary>
    /// <exception cref="InvalidDataException">The file is empty, not UTF-8, or lacks a special token.</exception>
    public static BertWordPieceTokenizer FromVocabFile(string vocabPath, BertTokenizerOptions? options = null)
    {
        using var stream = File.OpenRead(vocabPath);
        return Create(stream, vocabPath, options);
    }

    /// <summary>Loads a vocabulary from a stream (left open).</summary>
    /// <exception cref="InvalidDataException">The stream is empty, not UTF-8, or lacks a special token.</exception>
    public static BertWordPieceTokenizer FromVocab(Stream vocab, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        return Create(vocab, vocab is FileStream file ? file.Name : "(stream)", options);
    }

    /// <summary>The token of an id, or null when the id is out of range.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_vocab.Lines.Length ? _vocab.Lines[id] : null;

    /// <summary>The id of a token, or null when it is not in the vocabulary.</summary>
    public int? TokenToId(string token) => _vocab.TokenToId.TryGetValue(token, out var id) ? id : null;

    /// <summary>
    /// Model input: <c>[CLS] text [SEP]</c>, or <c>[CLS] text [SEP] textPair [SEP]</c> with token type ids
    /// 0 then 1. No truncation unless <paramref name="maxLength"/> is given (HF longest_first for pairs,
    /// the length including the special tokens). The attention mask is all ones.
    /// </summary>
    public BertEncoding Encode(string text, string? textPair = null, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var specials = textPair is null ? 2 : 3;
        if (maxLength is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, specials, nameof(maxLength));
        }

        var first = new List<int>();
        EncodeIdsInto(text, first);
        var second = new List<int>();
        if (textPair is not null)
        {
            EncodeIdsInto(textPair, second);
        }

        var (keepFirst, keepSecond) = maxLength is { } max
            ? Truncation.LongestFirst(first.Count, second.Count, max - specials)
            : (first.Count, second.Count);
        var length = keepFirst + keepSecond + specials;
        var ids = new int[length];
        var types = new int[length];
        ids[0] = ClsTokenId;
        first.CopyTo(0, ids, 1, keepFirst);
        ids[keepFirst + 1] = SepTokenId;
        if (textPair is not null)
        {
            second.CopyTo(0, ids, keepFirst + 2, keepSecond);
            ids[^1] = SepTokenId;
            types.AsSpan(keepFirst + 2).Fill(1);
        }

        var mask = new int[length];
        mask.AsSpan().Fill(1);
        return new BertEncoding(ids, mask, types) { Truncated = keepFirst < first.Count || keepSecond < second.Count };
    }

    /// <summary>
    /// The hot path: appends the word-piece ids of <paramref name="text"/> (no special tokens, no
    /// truncation) to <paramref name="ids"/> and returns how many were added. Allocates nothing
    /// beyond the list's growth.
    /// </summary>
    public int EncodeIdsInto(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var before = ids.Count;
        var sink = new IdSink(ids, int.MaxValue);
        _pipeline.Encode(text, ref sink);
        return ids.Count - before;
    }

    /// <summary>
    /// Pre-tokenization: hands <paramref name="onWord"/> each word exactly as the WordPiece step sees it,
    /// in order: after BertNormalizer (cleaning, CJK spacing, accent stripping and lowercasing as the
    /// options say) and BertPreTokenizer (split on whitespace, each punctuation character a word of its
    /// own). Special tokens in the text are not words and are left out, and so is a word longer than
    /// <see cref="BertTokenizerOptions.MaxInputCharsPerWord"/> code points, which is [UNK] whatever the
    /// vocabulary. The span is only valid during the call.
    /// </summary>
    /// <remarks>Tokenizing each word on its own gives the ids of tokenizing the text (bar those two exceptions).</remarks>
    public void PreTokenize(ReadOnlySpan<char> text, Action<ReadOnlySpan<char>> onWord)
    {
        ArgumentNullException.ThrowIfNull(onWord);
        var sink = new WordCallbackSink(onWord);
        _pipeline.Encode(text, ref sink);
    }

    /// <summary>The words of <see cref="PreTokenize(ReadOnlySpan{char}, Action{ReadOnlySpan{char}})"/> as strings.</summary>
    public IReadOnlyList<string> PreTokenize(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        PreTokenize(text, word => words.Add(word.ToString()));
        return words;
    }

    /// <summary>
    /// Adds one to <paramref name="counts"/> for each pre-tokenized word of <paramref name="text"/> (see
    /// <see cref="PreTokenize(ReadOnlySpan{char}, Action{ReadOnlySpan{char}})"/>): the input of vocabulary
    /// training. Counts of separate texts or work units add up, so they can be merged by summing.
    /// </summary>
    /// <remarks>With an ordinal or default string comparer, only words not yet counted allocate.</remarks>
    public void CountWords(ReadOnlySpan<char> text, Dictionary<string, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup))
        {
            var sink = new WordCountSink(lookup);
            _pipeline.Encode(text, ref sink);
            return;
        }

        // A comparer without span lookups: one string per word.
        PreTokenize(text, word =>
        {
            var key = word.ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        });
    }

    /// <inheritdoc/>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var tokens = new List<EncodedToken>();
        var sink = new TokenSink(tokens, _vocab.Lines, MaxCount(settings));
        var complete = _pipeline.Encode(span, ref sink);
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = complete ? span.Length : sink.CharsConsumed };
    }

    /// <inheritdoc/>
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var ids = new List<int>();
        var sink = new IdSink(ids, MaxCount(settings));
        var complete = _pipeline.Encode(span, ref sink);
        return new EncodeResults<int> { Tokens = ids, CharsConsumed = complete ? span.Length : sink.CharsConsumed };
    }

    /// <inheritdoc/>
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var ids = new List<int>();
        return EncodeIdsInto(text is null ? textSpan : text.AsSpan(), ids);
    }

    /// <inheritdoc/>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd, out string? normalizedText, out int tokenCount)
    {
        normalizedText = null;
        var span = text is null ? textSpan : text.AsSpan();
        if (!fromEnd)
        {
            var result = EncodeToTokens(text, textSpan, settings);
            tokenCount = result.Tokens.Count;
            return result.CharsConsumed;
        }

        // From the end: keep the last whole words that fit.
        var all = EncodeToTokens(text, textSpan, new EncodeSettings { ConsiderNormalization = true, ConsiderPreTokenization = true, MaxTokenCount = int.MaxValue }).Tokens;
        var max = MaxCount(settings);
        var first = Math.Max(0, all.Count - max);
        while (first < all.Count && all[first].Value.StartsWith(Vocabulary.ContinuationPrefix, StringComparison.Ordinal) && all[first].Id != UnkTokenId)
        {
            first++;
        }

        tokenCount = all.Count - first;
        return first < all.Count ? all[first].Offset.Start.GetOffset(span.Length) : span.Length;
    }

    /// <summary>Text from ids as HF's WordPiece decoder writes it, skipping [CLS], [SEP] and [PAD].</summary>
    public override string Decode(IEnumerable<int> ids) => WordPieceDecoder.Decode(ids, _vocab.Lines, _skippedWhenDecoding);

    /// <inheritdoc/>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids as IReadOnlyList<int> ?? [.. ids];
        idsConsumed = charsWritten = 0;
        if (list.Any(id => (uint)id >= (uint)_vocab.Lines.Length))
        {
            return OperationStatus.InvalidData;
        }

        // Longest prefix of ids whose decoding fits; decoding is cheap next to the model that made the ids.
        for (var n = list.Count; n >= 0; n--)
        {
            var text = WordPieceDecoder.Decode(list.Take(n), _vocab.Lines, _skippedWhenDecoding);
            if (text.Length <= destination.Length)
            {
                text.CopyTo(destination);
                idsConsumed = n;
                charsWritten = text.Length;
                return n == list.Count ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
            }
        }

        return OperationStatus.DestinationTooSmall;
    }

    /// <summary>The vocabulary as token to id, for serialization.</summary>
    internal IReadOnlyDictionary<string, int> TokenIds => _vocab.TokenToId;

    private static int MaxCount(EncodeSettings settings) => settings.MaxTokenCount <= 0 ? int.MaxValue : settings.MaxTokenCount;

    private static BertWordPieceTokenizer Create(Stream stream, string source, BertTokenizerOptions? options)
    {
        options ??= new BertTokenizerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInputCharsPerWord, 1, nameof(options));
        var vocab = Vocabulary.Read(stream, source, options.SpecialTokens);
        return new BertWordPieceTokenizer(vocab, options);
    }
}
