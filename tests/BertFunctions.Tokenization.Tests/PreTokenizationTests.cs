namespace BertFunctions.Tokenization.Tests;

/// <summary>The pre-tokenization hook yields the words WordPiece sees, and nothing else.</summary>
public sealed class PreTokenizationTests(ParityFixture fixture) : IClassFixture<ParityFixture>
{
    private readonly BertWordPieceTokenizer _tokenizer = fixture.Tokenizer;

    [Fact]
    public void Every_brown_document_tokenizes_as_its_words_one_by_one()
    {
        var whole = new List<int>();
        var byWord = new List<int>();
        var words = 0;
        for (var d = 0; d < fixture.Brown.Count; d++)
        {
            whole.Clear();
            byWord.Clear();
            _tokenizer.EncodeIdsInto(fixture.Brown[d], whole);
            _tokenizer.PreTokenize(fixture.Brown[d], word =>
            {
                words++;
                _tokenizer.EncodeIdsInto(word, byWord);
            });
            Assert.True(whole.SequenceEqual(byWord), $"Brown #{d}: {whole.Count} ids for the text, {byWord.Count} word by word");
        }

        // Brown is about a million words and punctuation marks.
        Assert.InRange(words, 1_000_000, 1_400_000);
    }

    [Fact]
    public void Words_are_normalized_with_punctuation_and_cjk_on_their_own() =>
        Assert.Equal(["hello", ",", "world", "!", "naive", "cafe", "日", "本", "x", "'", "s", "«", "ok", "»"],
            _tokenizer.PreTokenize("Héllo,WORLD!\tnaïve\u00A0CAFÉ日本 x's «ok»"));

    [Fact]
    public void Special_tokens_and_dropped_characters_are_not_words() =>
        Assert.Equal(["a", "b", "c", "[", "mask", "]"], _tokenizer.PreTokenize("a[MASK]b\u0000 [CLS]c\u200B [mask]"));

    [Fact]
    public void A_word_over_the_length_limit_is_left_out_as_it_is_unk_with_any_vocabulary()
    {
        var text = "short " + new string('x', 101) + " end";
        Assert.Equal(["short", "end"], _tokenizer.PreTokenize(text));
        Assert.Contains(_tokenizer.UnkTokenId, _tokenizer.EncodeToIds(text));
    }

    [Fact]
    public void Cased_options_keep_case_and_accents()
    {
        var cased = Vocabularies.Create(Vocabularies.SmallCased(), new BertTokenizerOptions { LowerCase = false });
        Assert.Equal(["Héllo", "WORLD", "!"], cased.PreTokenize("Héllo WORLD!"));
    }

    [Fact]
    public void Counting_words_agrees_with_pre_tokenizing_with_any_comparer()
    {
        var text = fixture.Brown[0] + "\n" + fixture.Brown[1];
        var expected = _tokenizer.PreTokenize(text).CountBy(w => w, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => (long)p.Value, StringComparer.Ordinal);

        var fast = new Dictionary<string, long>(StringComparer.Ordinal);
        _tokenizer.CountWords(text, fast);
        var slow = new Dictionary<string, long>(new NoSpanComparer());
        _tokenizer.CountWords(text, slow);

        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), fast.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), slow.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Counts_add_up_across_calls()
    {
        var counts = new Dictionary<string, long>();
        _tokenizer.CountWords("the cat, the hat", counts);
        _tokenizer.CountWords("The end.", counts);
        Assert.Equal(3, counts["the"]);
        Assert.Equal(1, counts[","]);
        Assert.Equal(6, counts.Count);
    }

    /// <summary>An ordinal comparer without span lookups, to take the allocating path.</summary>
    private sealed class NoSpanComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(obj);
    }
}
