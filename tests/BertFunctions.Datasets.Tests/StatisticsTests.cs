using System.Text.Json;

namespace BertFunctions.Datasets.Tests;

public sealed class StatisticsTests
{
    private static ShardStatistics Collect(params TrainingExample[] examples)
    {
        var statistics = new ShardStatistics(maxSeqLen: 20, unkTokenId: 1, maskTokenId: 4);
        foreach (var example in examples)
        {
            statistics.Add(example);
        }

        return statistics;
    }

    [Fact]
    public void Counts_tokens_unknowns_lengths_and_the_masking_breakdown()
    {
        // Position 1: [MASK] over 5; position 2: random 9 over 6; position 3: 7 unchanged.
        var statistics = Collect(new TrainingExample([2, 4, 9, 7, 1, 3], [1, 2, 3], [5, 6, 7], -1), new TrainingExample([.. Enumerable.Repeat(8, 17)], [], [], 2));
        Assert.Equal(2, statistics.Sequences);
        Assert.Equal(23, statistics.Tokens);
        Assert.Equal(1, statistics.UnkTokens);
        Assert.Equal(1.0 / 23, statistics.UnkRate, 12);
        Assert.Equal([1, 0, 1], statistics.LengthHistogram); // 6 → bucket 0 (1..8), 17 → bucket 2 (17..24)
        Assert.Equal((3, 1, 1, 1), (statistics.Masked.Selected, statistics.Masked.MaskToken, statistics.Masked.RandomToken, statistics.Masked.Unchanged));
        Assert.Equal(1, statistics.LabelCounts[2]);
        Assert.Equal(17, statistics.TokenCounts[8]);
        Assert.Equal(1, statistics.TokenCounts[5]); // counted as the original, not as [MASK]
        Assert.False(statistics.TokenCounts.ContainsKey(4));
        Assert.Equal([new TokenCount(8, 17), new TokenCount(1, 1)], statistics.TopTokens(2));
    }

    [Fact]
    public void Json_is_snake_case_and_round_trips_and_merges()
    {
        var a = Collect(new TrainingExample([2, 4, 9, 7, 1, 3], [1, 2, 3], [5, 6, 7], -1));
        var b = Collect(new TrainingExample([2, 8, 8, 3], [], [], 0));
        var json = a.ToJson();
        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            foreach (var name in (string[])["sequences", "tokens", "unk_tokens", "unk_rate", "length_histogram", "length_bucket_width", "masked", "token_counts", "most_frequent_tokens", "label_counts", "max_seq_len"])
            {
                Assert.True(root.TryGetProperty(name, out _), $"missing {name} in {json}");
            }

            Assert.True(root.GetProperty("masked").TryGetProperty("random_token", out _));
        }

        var restored = ShardStatistics.FromJson(json);
        Assert.Equal(json, restored.ToJson());

        restored.Merge(b);
        Assert.Equal(2, restored.Sequences);
        Assert.Equal(10, restored.Tokens);
        Assert.Equal(2, restored.TokenCounts[8]);
        Assert.Equal(2, restored.TokenCounts[2]);
        Assert.Equal([2, 0, 0], restored.LengthHistogram);
        Assert.Equal(3, restored.Masked.Selected);
        Assert.Equal(1, restored.LabelCounts[0]);
        Assert.Throws<ArgumentException>(() => restored.Merge(new ShardStatistics(20, 100, 4)));
        Assert.Throws<InvalidDataException>(() => ShardStatistics.FromJson("{ not json"));
    }
}
