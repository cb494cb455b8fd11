namespace BertFunctions.Tokenization.Tests;

/// <summary>Each rule of the HF pipeline, with expectations checked by hand against bert-base-uncased.</summary>
public sealed class RuleTests(ParityFixture fixture) : IClassFixture<ParityFixture>
{
    private readonly BertWordPieceTokenizer _tokenizer = fixture.Tokenizer;

    private string[] Tokens(string text)
    {
        var ids = new List<int>();
        _tokenizer.EncodeIdsInto(text, ids);
        return [.. ids.Select(id => _tokenizer.IdToToken(id)!)];
    }

    [Fact]
    public void Known_ids_of_bert_base_uncased() =>
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], _tokenizer.Encode("Hello, World!").InputIds);

    [Fact]
    public void Special_token_ids_and_vocabulary_size()
    {
        Assert.Equal((0, 100, 101, 102, 103), (_tokenizer.PadTokenId, _tokenizer.UnkTokenId, _tokenizer.ClsTokenId, _tokenizer.SepTokenId, _tokenizer.MaskTokenId));
        Assert.Equal(30522, _tokenizer.VocabularySize);
        Assert.Equal("[MASK]", _tokenizer.IdToToken(103));
        Assert.Equal(7592, _tokenizer.TokenToId("hello"));
        Assert.Null(_tokenizer.TokenToId("Hello"));
        Assert.Null(_tokenizer.IdToToken(30522));
    }

    [Fact]
    public void Wordpiece_splits_greedily_with_continuation_prefix() =>
        Assert.Equal(["una", "##ffa", "##ble"], Tokens("unaffable"));

    [Fact]
    public void Newlines_and_tabs_are_whitespace_not_deleted() =>
        Assert.Equal(["hello", "world", "again"], Tokens("hello\nworld\tagain"));

    [Fact]
    public void Symbols_are_kept_ascii_ones_isolated_as_punctuation() =>
        Assert.Equal(["$", "100", "+", "5", "<", "7", "©", "7", "##©"], Tokens("$100+5<7 © 7©"));

    [Fact]
    public void Controls_and_format_characters_are_deleted_joining_the_word() =>
        Assert.Equal(["hello"], Tokens("hel\u0001l\u200Bo"));

    [Fact]
    public void Accents_are_stripped_before_lowercasing() =>
        Assert.Equal(["cafe", "ecole"], Tokens("Café ÉCOLE"));

    [Fact]
    public void Cjk_ideographs_become_single_words() =>
        Assert.Equal(["日", "本"], Tokens("日本"));

    [Fact]
    public void Special_tokens_in_raw_text_are_matched_but_lowercase_ones_are_not()
    {
        Assert.Equal(["a", "[MASK]", "b"], Tokens("a[MASK]b"));
        Assert.Equal(["[", "mask", "]"], Tokens("[mask]"));
    }

    [Fact]
    public void Words_longer_than_100_code_points_become_unk()
    {
        Assert.Equal(["[UNK]"], Tokens(new string('a', 101)));
        Assert.NotEqual(["[UNK]"], Tokens(new string('a', 100)));

        // 100 emoji are 200 UTF-16 units but 100 code points: still under the limit.
        Assert.Single(Tokens(string.Concat(Enumerable.Repeat("😀", 100))).Distinct());
    }

    [Fact]
    public void Pairs_get_type_ids_and_longest_first_truncation()
    {
        var pair = _tokenizer.Encode("hello world", "good morning to you", maxLength: 7);
        Assert.Equal([101, 7592, 2088, 102, 2204, 2851, 102], pair.InputIds);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], pair.TokenTypeIds);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1], pair.AttentionMask);
        Assert.True(pair.Truncated);
        Assert.False(_tokenizer.Encode("hello").Truncated);
    }

    [Fact]
    public void Empty_text_is_cls_sep() => Assert.Equal([101, 102], _tokenizer.Encode(string.Empty).InputIds);

    [Fact]
    public void Microsoft_ml_tokenizer_surface_works()
    {
        Microsoft.ML.Tokenizers.Tokenizer tokenizer = _tokenizer;
        Assert.Equal([7592, 1010, 2088, 999], tokenizer.EncodeToIds("Hello, World!"));
        Assert.Equal(4, tokenizer.CountTokens("Hello, World!"));
        var tokens = tokenizer.EncodeToTokens("Unaffable café", out _);
        Assert.Equal(["una", "##ffa", "##ble", "cafe"], tokens.Select(t => t.Value));
        Assert.Equal(("Una", "ffa", "ble", "café"), ("Unaffable café"[tokens[0].Offset], "Unaffable café"[tokens[1].Offset], "Unaffable café"[tokens[2].Offset], "Unaffable café"[tokens[3].Offset]));
        Assert.Equal("hello, world!", tokenizer.Decode([101, 7592, 1010, 2088, 999, 102]));
        Assert.Equal(11, tokenizer.GetIndexByTokenCount("hello world again", 2, out _, out var count));
        Assert.Equal(2, count);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("[PAD]\n[UNK]\n[CLS]\n[SEP]\n", "lacks the special token(s) [MASK]")]
    public void Bad_vocabularies_are_rejected_with_the_reason(string vocab, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => Vocabularies.Create(System.Text.Encoding.UTF8.GetBytes(vocab)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_vocabulary_file_is_rejected_naming_the_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]);
            var error = Assert.Throws<InvalidDataException>(() => BertWordPieceTokenizer.FromVocabFile(path));
            Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
