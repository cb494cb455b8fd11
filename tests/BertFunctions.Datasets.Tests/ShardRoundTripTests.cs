using System.Security.Cryptography;

namespace BertFunctions.Datasets.Tests;

public sealed class ShardRoundTripTests(BrownFixture brown)
{
    private static readonly byte[] Hash = SHA256.HashData("vocab"u8);

    [Fact]
    public void Pretraining_shard_round_trips_with_uint16_ids()
    {
        var vocabulary = brown.Vocabulary;
        var header = vocabulary.ShardHeader(ShardKind.Pretraining, 128);
        Assert.Equal(2, header.IdWidth);
        var builder = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = 2 });
        var examples = builder.Build(brown.Documents.Take(10).ToList(), "v1", 3).ToList();

        var bytes = TestData.WriteShard(header, examples);
        using var reader = ShardReader.Open(new MemoryStream(bytes));
        Assert.True(reader.Header.SameAs(header));
        Assert.Equal(examples.Count, reader.Count);
        var read = reader.ReadExamples().ToList();
        Assert.Equal(examples.Count, read.Count);
        Assert.All(examples.Zip(read), pair => Assert.True(pair.First.ContentEquals(pair.Second)));

        // Size: header + footer + per record 2 + 2·len + 2 + 4·masked.
        var expected = ShardFormat.HeaderSize + ShardFormat.FooterSize + examples.Sum(e => 4 + 2 * e.InputIds.Length + 4 * e.MaskedPositions.Length);
        Assert.Equal(expected, bytes.Length);
    }

    [Fact]
    public async Task Classification_shard_round_trips_with_int32_ids_asynchronously()
    {
        var header = new ShardHeader(ShardKind.Classification, 70_000, Hash, 16);
        Assert.Equal(4, header.IdWidth);
        TrainingExample[] examples =
        [
            new([2, 69_999, 65_536, 3], [], [], 1),
            new([2, 3], [], [], TrainingExample.NoLabel),
            new([2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 3], [1, 15], [4, 0], 0),
        ];

        var bytes = TestData.WriteShard(header, examples);
        using var reader = await ShardReader.OpenAsync(new MemoryStream(bytes), cancellationToken: TestContext.Current.CancellationToken);
        var read = new List<TrainingExample>();
        await foreach (var example in reader.ReadExamplesAsync(TestContext.Current.CancellationToken))
        {
            read.Add(example);
        }

        Assert.Equal(examples.Length, read.Count);
        Assert.All(examples.Zip(read), pair => Assert.True(pair.First.ContentEquals(pair.Second)));
    }

    [Fact]
    public void Writes_through_a_stream_that_cannot_seek()
    {
        var header = new ShardHeader(ShardKind.Pretraining, 100, Hash, 8);
        var target = new MemoryStream();
        using (var writer = new ShardWriter(new ForwardOnlyStream(target), header))
        {
            writer.Write(new TrainingExample([2, 50, 3], [1], [51], -1));
        }

        var read = TestData.ReadShard(target.ToArray());
        Assert.Equal([2, 50, 3], Assert.Single(read).InputIds);
    }

    [Fact]
    public void An_empty_shard_is_valid()
    {
        var bytes = TestData.WriteShard(new ShardHeader(ShardKind.Pretraining, 100, Hash, 8), []);
        Assert.Equal(ShardFormat.HeaderSize + ShardFormat.FooterSize, bytes.Length);
        Assert.Empty(TestData.ReadShard(bytes));
    }

    [Fact]
    public void Writer_rejects_examples_that_do_not_fit_the_header()
    {
        using var writer = new ShardWriter(new MemoryStream(), new ShardHeader(ShardKind.Pretraining, 100, Hash, 8));
        Assert.Throws<ArgumentException>(() => writer.Write(new TrainingExample([2, 100, 3], [], [], -1)));
        Assert.Throws<ArgumentException>(() => writer.Write(new TrainingExample([.. Enumerable.Repeat(5, 9)], [], [], -1)));
        Assert.Throws<ArgumentException>(() => writer.Write(new TrainingExample([2, 5, 6, 3], [2, 1], [5, 6], -1)));
        Assert.Throws<ArgumentException>(() => writer.Write(new TrainingExample([2, 5, 6, 3], [1], [5, 6], -1)));
        Assert.Throws<ArgumentException>(() => writer.Write(new TrainingExample([2, 5, 3], [], [], 0)));
        Assert.Equal(0, writer.Count);
    }

    [Fact]
    public void Shard_set_rolls_over_before_the_size_limit()
    {
        var vocabulary = brown.Vocabulary;
        var header = vocabulary.ShardHeader(ShardKind.Pretraining, 128);
        var examples = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = 1 }).Build(brown.Documents.Take(30).ToList(), "v1", 0).ToList();
        var folder = new MemoryShardFolder();
        const long limit = 20_000;
        using (var set = new ShardSetWriter(header, folder.Open, new ShardStatistics(vocabulary, 128), limit))
        {
            set.WriteAll(examples);
            set.Complete();
            Assert.Equal(examples.Count, set.Statistics.Sequences);
            Assert.Equal(examples.Count, set.Shards.Sum(s => s.Examples));
            Assert.Equal(folder.Files.Keys, set.Shards.Select(s => s.FileName));
        }

        var files = folder.Files;
        Assert.True(files.Count > 5, $"{files.Count} shards");
        Assert.Equal(Enumerable.Range(0, files.Count).Select(ShardSetWriter.ShardFileName), files.Keys);
        Assert.Equal("shard-00000.bin", files.Keys.First());
        var maxRecord = ShardFormat.MaxRecordSize(header);
        Assert.All(files.Values.SkipLast(1), f => Assert.InRange(f.Length, limit - maxRecord, limit));
        var read = files.Values.SelectMany(TestData.ReadShard).ToList();
        Assert.All(examples.Zip(read), pair => Assert.True(pair.First.ContentEquals(pair.Second)));
        Assert.Equal(examples.Count, read.Count);
    }

    [Fact]
    public void Shard_set_rejects_a_limit_that_cannot_hold_one_record()
    {
        var header = new ShardHeader(ShardKind.Pretraining, 100, Hash, 128);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardSetWriter(header, _ => new MemoryStream(), new ShardStatistics(128, 1, 4), 500));
    }

    /// <summary>A write-only stream that cannot seek, like an upload.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
