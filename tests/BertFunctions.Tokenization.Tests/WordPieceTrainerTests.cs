using System.Text;
using BertFunctions.Tokenization.Training;

namespace BertFunctions.Tokenization.Tests;

/// <summary>The trainer on small word counts whose merges can be followed by hand.</summary>
public sealed class WordPieceTrainerTests
{
    // HF course's BPE example: ##u ##g (20) is merged first, then ##u ##n (16), then h ##ug (15).
    private static readonly Dictionary<string, long> Hugs = new(StringComparer.Ordinal)
    {
        ["hug"] = 10, ["pug"] = 5, ["pun"] = 12, ["bun"] = 4, ["hugs"] = 5,
    };

    private static TrainedVocabulary Train(IReadOnlyDictionary<string, long> counts, int size = 100, long minFrequency = 2, int limitAlphabet = 1000) =>
        new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = size, MinFrequency = minFrequency, LimitAlphabet = limitAlphabet }).Train(counts, TestContext.Current.CancellationToken);

    [Fact]
    public void Specials_then_alphabet_in_both_forms_then_merges_in_order()
    {
        var vocab = Train(Hugs, size: 22);
        Assert.Equal(
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "b", "g", "h", "n", "p", "s", "u",
             "##b", "##g", "##h", "##n", "##p", "##s", "##u", "##ug", "##un", "hug"],
            vocab.Tokens);
        Assert.Equal((7, 3), (vocab.AlphabetSize, vocab.Merges));
    }

    [Fact]
    public void Merging_stops_below_the_minimum_frequency()
    {
        // Pairs seen 12 times or more: ##u ##g (20), ##u ##n (16), h ##ug (15), then p ##un (12).
        var vocab = Train(Hugs, minFrequency: 12);
        Assert.Equal(["##ug", "##un", "hug", "pun"], vocab.Tokens.Skip(19));
    }

    [Fact]
    public void The_alphabet_keeps_the_most_frequent_characters_and_words_lose_the_others()
    {
        // a (6) and b (4) stay; z, x and q go, so zb is just ##b and xq nothing. Both pairs of aab are seen
        // 3 times: the tie goes to the ordinally smaller texts, ##a ##b before a ##a.
        var vocab = Train(new Dictionary<string, long> { ["aab"] = 3, ["zb"] = 1, ["xq"] = 1 }, limitAlphabet: 2);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##a", "##b", "##ab", "aab"], vocab.Tokens);
    }

    [Fact]
    public void Code_points_outside_the_basic_plane_are_single_characters()
    {
        var vocab = Train(new Dictionary<string, long> { ["😀😀"] = 3 });
        Assert.Equal(["😀", "##😀", "😀😀"], vocab.Tokens.Skip(5));
    }

    [Fact]
    public void The_same_counts_in_any_order_give_identical_vocab_txt_bytes()
    {
        var reversed = Hugs.Reverse().ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(VocabTxt(Train(Hugs)), VocabTxt(Train(reversed)));
    }

    [Fact]
    public void Vocab_txt_is_one_token_per_newline_terminated_line_and_loads_as_a_tokenizer()
    {
        var vocab = Train(Hugs);
        var bytes = VocabTxt(vocab);
        Assert.Equal(string.Join("", vocab.Tokens.Select(t => t + "\n")), Encoding.UTF8.GetString(bytes));

        var tokenizer = Vocabularies.Create(bytes);
        Assert.Equal((0, 1, 2, 3, 4), (tokenizer.PadTokenId, tokenizer.UnkTokenId, tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.MaskTokenId));
        Assert.Equal(vocab.Tokens.Count, tokenizer.VocabularySize);
        var ids = tokenizer.EncodeToIds("Hugs pun bug!");
        Assert.Equal(["hugs", "pun", "b", "##ug", "[UNK]"], ids.Select(id => tokenizer.IdToToken(id)));
        Assert.Equal(ids, vocab.CreateTokenizer().EncodeToIds("Hugs pun bug!"));
    }

    [Fact]
    public void Texts_are_pre_tokenized_with_the_tokenizer_options()
    {
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = 40 });
        var counts = trainer.CountWords(["Héllo, héllo [MASK] HELLO!"], TestContext.Current.CancellationToken);
        Assert.Equal(new Dictionary<string, long> { ["hello"] = 3, [","] = 1, ["!"] = 1 }, counts);
        Assert.Contains("hello", trainer.Train(["Héllo, héllo [MASK] HELLO!"], TestContext.Current.CancellationToken).Tokens);
    }

    [Fact]
    public void Training_can_be_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new WordPieceTrainer().Train(["some text"], cancelled.Token));
    }

    private static byte[] VocabTxt(TrainedVocabulary vocab)
    {
        using var stream = new MemoryStream();
        vocab.WriteVocabTxt(stream);
        return stream.ToArray();
    }
}
