using System.Diagnostics;

namespace BertFunctions.Datasets.Tests;

public sealed class DeterminismTests(BrownFixture brown, ITestOutputHelper output)
{
    private IReadOnlyDictionary<string, byte[]> Build(string version, int shard, int dupeFactor, int documents, out ShardStatistics statistics)
    {
        var vocabulary = brown.Vocabulary;
        var builder = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = dupeFactor });
        var folder = new MemoryShardFolder();
        statistics = new ShardStatistics(vocabulary, 128);
        using var set = new ShardSetWriter(vocabulary.ShardHeader(ShardKind.Pretraining, 128), folder.Open, statistics, maxShardBytes: 1_000_000);
        set.WriteAll(builder.Build(brown.Documents.Take(documents).ToList(), version, shard));
        set.Complete();
        return folder.Files;
    }

    [Fact]
    public void Same_inputs_and_config_give_byte_identical_shards()
    {
        var stopwatch = Stopwatch.StartNew();
        var first = Build("v1", 0, dupeFactor: 5, documents: 60, out var statistics);
        var elapsed = stopwatch.Elapsed;
        var second = Build("v1", 0, dupeFactor: 5, documents: 60, out _);
        Assert.Equal(first.Keys, second.Keys);
        Assert.All(first, pair => Assert.Equal(pair.Value, second[pair.Key]));
        var bytes = first.Values.Sum(f => (long)f.Length);
        output.WriteLine($"{statistics.Sequences:N0} examples, {statistics.Tokens:N0} tokens, {first.Count} shards, {bytes:N0} bytes ({(double)bytes / statistics.Sequences:N1} B/example) in {elapsed.TotalMilliseconds:N0} ms (pack + mask + write, after tokenization)");
    }

    [Fact]
    public void Different_shard_or_version_masks_differently()
    {
        var baseline = Build("v1", 0, dupeFactor: 1, documents: 5, out _)["shard-00000.bin"];
        Assert.NotEqual(baseline, Build("v1", 1, dupeFactor: 1, documents: 5, out _)["shard-00000.bin"]);
        Assert.NotEqual(baseline, Build("v2", 0, dupeFactor: 1, documents: 5, out _)["shard-00000.bin"]);
    }

    [Fact]
    public void Each_copy_uses_its_own_seed()
    {
        var vocabulary = brown.Vocabulary;
        var documents = brown.Documents.Take(5).ToList();
        var builder = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = 3 });
        var packed = builder.Pack(documents).ToList();
        var examples = builder.Build(documents, "v1", 7).ToList();
        for (var copy = 0; copy < 3; copy++)
        {
            // Copy c is exactly the packed sequences masked in order by one generator seeded with Derive(version, shard, c).
            var random = new Xoshiro256StarStar(Seeds.Derive("v1", 7, copy));
            var expected = packed.Select(s => builder.Masker.Mask(s, random)).ToList();
            Assert.All(expected.Zip(examples.Skip(copy * packed.Count)), pair => Assert.True(pair.First.ContentEquals(pair.Second)));
        }

        var differing = Enumerable.Range(0, packed.Count).Count(i => !examples[i].ContentEquals(examples[packed.Count + i]));
        Assert.True(differing > packed.Count * 9 / 10, $"{differing} of {packed.Count}");
    }
}
