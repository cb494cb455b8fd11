namespace BertFunctions.Datasets.Tests;

public sealed class MaskingTests
{
    private static readonly TokenVocabulary Vocabulary = TestData.Small();

    [Theory]
    [InlineData(3, 1)]    // max(1, round(0.45)) = 1
    [InlineData(10, 2)]   // round(1.5) = 2 (half to even)
    [InlineData(30, 4)]   // round(4.5) = 4 (half to even, as Python's round)
    [InlineData(128, 19)] // round(19.2)
    [InlineData(512, 20)] // capped at ceil(128 × 0.15) = 20
    public void NumToPredict_follows_bert(int length, int expected)
    {
        var masker = new MlmMasker(Vocabulary, new MaskingOptions(), 128);
        Assert.Equal(expected, masker.NumToPredict(length));
    }

    [Fact]
    public void Default_cap_is_berts_20_at_128_and_configurable()
    {
        Assert.Equal(20, new MaskingOptions().ResolveMaxPredictions(128));
        Assert.Equal(77, new MaskingOptions().ResolveMaxPredictions(512));
        Assert.Equal(80, new MaskingOptions { MaxPredictionsPerSeq = 80 }.ResolveMaxPredictions(512));
    }

    [Fact]
    public void Never_selects_special_tokens_and_sorts_positions_with_original_ids()
    {
        var masker = new MlmMasker(Vocabulary, new MaskingOptions { MaskedLmProbability = 0.5 }, 32);
        var random = new Xoshiro256StarStar(3);
        int[] sequence = [2, 5, 6, 1, 7, 8, 9, 10, 4, 0, 14, 15, 3];
        for (var i = 0; i < 200; i++)
        {
            var example = masker.Mask(sequence, random, out var outcome);
            Assert.Equal(masker.NumToPredict(sequence.Length), example.MaskedPositions.Length);
            Assert.Equal(example.MaskedPositions.Length, outcome.Selected);
            Assert.Equal(example.MaskedPositions.Order().Distinct(), example.MaskedPositions);
            Assert.All(example.MaskedPositions, p => Assert.False(Vocabulary.IsSpecial(sequence[p])));
            Assert.Equal(example.MaskedPositions.Select(p => sequence[p]), example.MaskedOriginalIds);
            Assert.Equal(sequence, example.UnmaskedIds());
            for (var p = 0; p < sequence.Length; p++)
            {
                if (!example.MaskedPositions.Contains(p))
                {
                    Assert.Equal(sequence[p], example.InputIds[p]);
                }
                else
                {
                    Assert.False(Vocabulary.IsSpecial(example.InputIds[p]) && example.InputIds[p] != Vocabulary.MaskId);
                }
            }
        }
    }

    [Fact]
    public void A_sequence_without_candidates_masks_nothing()
    {
        var masker = new MlmMasker(Vocabulary, new MaskingOptions(), 32);
        var example = masker.Mask([2, 1, 1, 3], new Xoshiro256StarStar(1));
        Assert.Empty(example.MaskedPositions);
        Assert.Equal([2, 1, 1, 3], example.InputIds);
    }

    [Fact]
    public void Whole_word_masking_takes_all_pieces_of_a_word()
    {
        // the un ##aff ##able dog ##s run ##ning .
        int[] sequence = [2, 5, 11, 12, 13, 14, 15, 16, 17, 10, 3];
        var masker = new MlmMasker(Vocabulary, new MaskingOptions { MaskedLmProbability = 0.3, WholeWordMasking = true }, 16);
        var random = new Xoshiro256StarStar(11);
        int[][] words = [[1], [2, 3, 4], [5, 6], [7, 8], [9]];
        var sawMultiPiece = false;
        for (var i = 0; i < 300; i++)
        {
            var example = masker.Mask(sequence, random);
            var selected = example.MaskedPositions.ToHashSet();
            Assert.InRange(selected.Count, 1, masker.NumToPredict(sequence.Length));
            foreach (var word in words)
            {
                var hits = word.Count(selected.Contains);
                Assert.True(hits == 0 || hits == word.Length, $"Word at {word[0]} split: {hits} of {word.Length}.");
                sawMultiPiece |= hits > 1;
            }
        }

        Assert.True(sawMultiPiece);
    }

    [Fact]
    public void Rejects_bad_probabilities()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlmMasker(Vocabulary, new MaskingOptions { MaskedLmProbability = 0 }, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlmMasker(Vocabulary, new MaskingOptions { MaskedLmProbability = 1 }, 128));
    }

    [Fact]
    public void Dynamic_masking_is_deterministic_per_step_and_differs_between_steps()
    {
        var masker = new MlmMasker(Vocabulary, new MaskingOptions(), 32);
        var dynamic = new DynamicMasking(masker, "run-1");
        int[] sequence = [2, .. Enumerable.Range(5, 20).Select(i => 5 + (i % 20)), 3];
        var batch = new[] { masker.Mask(sequence, new Xoshiro256StarStar(1)), masker.Mask(sequence, new Xoshiro256StarStar(2)) };

        var first = dynamic.MaskBatch(batch, epoch: 0, step: 5);
        var again = dynamic.MaskBatch(batch, epoch: 0, step: 5);
        var next = dynamic.MaskBatch(batch, epoch: 0, step: 6);
        var otherEpoch = dynamic.MaskBatch(batch, epoch: 1, step: 5);

        Assert.True(first[0].ContentEquals(again[0]) && first[1].ContentEquals(again[1]));
        Assert.False(first[0].ContentEquals(next[0]) && first[1].ContentEquals(next[1]));
        Assert.False(first[0].ContentEquals(otherEpoch[0]) && first[1].ContentEquals(otherEpoch[1]));
        Assert.All(first, e => Assert.Equal(sequence, e.UnmaskedIds()));
    }
}
