using System.Text;

namespace BertFunctions.Tokenization.Tests;

/// <summary>The measured goal: a vocabulary trained on 450 Brown documents tokenizes the 50 held out as well as bert-base-uncased.</summary>
public sealed class BrownTrainingTests(BrownTrainingFixture fixture, ITestOutputHelper output) : IClassFixture<BrownTrainingFixture>
{
    [Fact]
    public void Held_out_unk_rate_is_below_half_a_percent_and_tokens_per_word_within_10_percent_of_bert_base_uncased()
    {
        var bert = Measure(fixture.BertBaseUncased);
        var ours = Measure(fixture.Tokenizer);
        output.WriteLine($"Brown: {fixture.TrainingTexts.Count} training documents, {fixture.Counts.Values.Sum():N0} words, {fixture.Counts.Count:N0} distinct; {fixture.HeldOut.Count} held out, {bert.Words:N0} words");
        output.WriteLine($"Counting words {fixture.CountingTime.TotalSeconds:F2} s, training {fixture.Vocabulary.Tokens.Count:N0} tokens {fixture.TrainingTime.TotalSeconds:F2} s (alphabet {fixture.Vocabulary.AlphabetSize}, {fixture.Vocabulary.Merges:N0} merges)");
        output.WriteLine($"{"vocabulary",-26} {"tokens",10} {"[UNK]",8} {"UNK rate",9} {"tokens/word",12}");
        Print("bert-base-uncased (30,522)", bert);

        // BPE merges in one fixed order, so the first N tokens are what training for N would give
        // (Smaller_vocabularies_are_prefixes_of_the_larger_one checks it for 8k).
        foreach (var size in new[] { 8_000, 16_000 })
        {
            Print($"ours {size:N0}", Measure(Prefix(size)));
        }

        Print($"ours {fixture.Vocabulary.Tokens.Count:N0}", ours);

        Assert.Equal(BrownTrainingFixture.VocabularySize, fixture.Vocabulary.Tokens.Count);
        Assert.Equal(bert.Words, ours.Words);
        Assert.True(ours.UnkRate < 0.005, $"[UNK] rate {ours.UnkRate:P3}");
        Assert.InRange(ours.TokensPerWord / bert.TokensPerWord, 0.9, 1.1);
    }

    [Fact]
    public void Training_30k_on_brown_takes_well_under_a_minute() =>
        Assert.True(fixture.TrainingTime < TimeSpan.FromSeconds(20), $"training took {fixture.TrainingTime}");

    [Fact]
    public void Smaller_vocabularies_are_prefixes_of_the_larger_one()
    {
        var trainer = new Training.WordPieceTrainer(fixture.Trainer.Options with { VocabularySize = 8_000 });
        Assert.Equal(fixture.Vocabulary.Tokens.Take(8_000), trainer.Train(fixture.Counts, TestContext.Current.CancellationToken).Tokens);
    }

    [Fact]
    public void Training_again_from_shuffled_counts_gives_identical_vocab_txt_bytes()
    {
        var random = new Random(7);
        var shuffled = fixture.Counts.OrderBy(_ => random.Next()).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(VocabTxt(fixture.Vocabulary), VocabTxt(fixture.Trainer.Train(shuffled, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public void Hf_tokenizes_held_out_text_with_the_trained_vocabulary_as_we_do()
    {
        using var hf = new HfReference(fixture.Tokenizer);
        var comparison = new Comparison(fixture.Tokenizer, "brown held out, trained vocabulary");
        for (var i = 0; i < fixture.HeldOut.Count; i++)
        {
            var text = fixture.HeldOut[i];
            comparison.Check($"#{i}", text, fixture.Tokenizer.Encode(text).InputIds, hf.Encode(text));
        }

        comparison.AssertNone();
    }

    private BertWordPieceTokenizer Prefix(int size) =>
        Vocabularies.Create(Encoding.UTF8.GetBytes(string.Join("", fixture.Vocabulary.Tokens.Take(size).Select(t => t + "\n"))));

    private Figures Measure(BertWordPieceTokenizer tokenizer)
    {
        long tokens = 0, unks = 0, words = 0;
        var ids = new List<int>();
        foreach (var text in fixture.HeldOut)
        {
            ids.Clear();
            tokenizer.EncodeIdsInto(text, ids);
            tokens += ids.Count;
            unks += ids.Count(id => id == tokenizer.UnkTokenId);
            tokenizer.PreTokenize(text, _ => words++);
        }

        return new Figures(tokens, unks, words);
    }

    private void Print(string name, Figures figures) =>
        output.WriteLine($"{name,-26} {figures.Tokens,10:N0} {figures.Unks,8:N0} {figures.UnkRate,9:P3} {figures.TokensPerWord,12:F4}");

    private static byte[] VocabTxt(Training.TrainedVocabulary vocabulary)
    {
        using var stream = new MemoryStream();
        vocabulary.WriteVocabTxt(stream);
        return stream.ToArray();
    }

    private sealed record Figures(long Tokens, long Unks, long Words)
    {
        public double UnkRate => (double)Unks / Tokens;

        public double TokensPerWord => (double)Tokens / Words;
    }
}
