namespace BertFunctions.Datasets.Tests;

/// <summary>BERT's masking rates, measured over the whole Brown corpus (more than 1 M word pieces).</summary>
public sealed class MaskingStatisticsTests(BrownFixture brown, ITestOutputHelper output)
{
    [Fact]
    public void Brown_default_config_selects_15_percent_and_splits_80_10_10()
    {
        var vocabulary = brown.Vocabulary;
        var builder = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = 1 });
        var random = new Xoshiro256StarStar(Seeds.Derive("brown-stats", 0, 0));
        var statistics = new ShardStatistics(vocabulary, 128);
        long candidates = 0, expected = 0, masked = 0, replaced = 0, kept = 0;
        foreach (var sequence in builder.Pack(brown.Documents))
        {
            var example = builder.Masker.Mask(sequence, random, out var outcome);
            var sequenceCandidates = sequence.Count(id => !vocabulary.IsSpecial(id));
            candidates += sequenceCandidates;

            // BERT's budget: round(len × 0.15) with len counting [CLS]/[SEP], at least 1, capped (20 at 128; not reached:
            // round(128 × 0.15) = 19), and never more than the candidates there are.
            expected += Math.Min(sequenceCandidates, builder.Masker.NumToPredict(sequence.Length));
            masked += outcome.Masked;
            replaced += outcome.Random;
            kept += outcome.Unchanged;

            Assert.Equal(example.MaskedPositions.Order().Distinct(), example.MaskedPositions);
            Assert.All(example.MaskedPositions, p => Assert.False(vocabulary.IsSpecial(sequence[p])));
            statistics.Add(example);
        }

        var selected = masked + replaced + kept;
        var fraction = (double)selected / candidates;
        output.WriteLine($"candidates {candidates:N0}, selected {selected:N0} = {fraction:P3} (BERT budget {(double)expected / candidates:P3}); "
            + $"[MASK] {(double)masked / selected:P3}, random {(double)replaced / selected:P3}, unchanged {(double)kept / selected:P3}; "
            + $"sequences {statistics.Sequences:N0}, tokens {statistics.Tokens:N0}, unk rate {statistics.UnkRate:P4}");

        Assert.True(candidates > 1_000_000, $"Only {candidates} candidate tokens.");
        Assert.Equal(expected, selected);
        Assert.InRange(fraction, 0.145, 0.155);
        Assert.InRange((double)masked / selected, 0.79, 0.81);
        Assert.InRange((double)replaced / selected, 0.09, 0.11);
        Assert.InRange((double)kept / selected, 0.09, 0.11);

        // What a shard reader infers agrees (a random draw of the original id reads as unchanged).
        Assert.Equal(selected, statistics.Masked.Selected);
        Assert.Equal(masked, statistics.Masked.MaskToken);
        Assert.InRange(statistics.Masked.RandomToken, replaced - 20, replaced);
    }

    [Fact]
    public void Brown_whole_word_masking_never_splits_a_word()
    {
        var vocabulary = brown.Vocabulary;
        var options = new PretrainingOptions { DupeFactor = 1, Masking = new MaskingOptions { WholeWordMasking = true } };
        var builder = new PretrainingExampleBuilder(vocabulary, options);
        var random = new Xoshiro256StarStar(Seeds.Derive("brown-wwm", 0, 0));
        long candidates = 0, selected = 0, multiPieceWords = 0;
        foreach (var sequence in builder.Pack(brown.Documents))
        {
            var example = builder.Masker.Mask(sequence, random);
            var chosen = new bool[sequence.Length];
            foreach (var p in example.MaskedPositions)
            {
                Assert.False(vocabulary.IsSpecial(sequence[p]));
                chosen[p] = true;
            }

            Assert.Equal(example.MaskedPositions.Order().Distinct(), example.MaskedPositions);
            Assert.InRange(example.MaskedPositions.Length, 0, builder.Masker.NumToPredict(sequence.Length));
            for (var i = 1; i < sequence.Length; i++)
            {
                // A ## piece after a candidate belongs to that word: both chosen or neither.
                if (vocabulary.IsContinuation(sequence[i]) && !vocabulary.IsSpecial(sequence[i - 1]))
                {
                    Assert.Equal(chosen[i - 1], chosen[i]);
                    multiPieceWords += chosen[i] ? 1 : 0;
                }
            }

            candidates += sequence.Count(id => !vocabulary.IsSpecial(id));
            selected += example.MaskedPositions.Length;
        }

        output.WriteLine($"whole-word masking: selected {(double)selected / candidates:P3} of {candidates:N0} candidates; {multiPieceWords:N0} continuation pieces masked with their word");
        Assert.True(multiPieceWords > 1000);
        Assert.InRange((double)selected / candidates, 0.14, 0.155);
    }
}
