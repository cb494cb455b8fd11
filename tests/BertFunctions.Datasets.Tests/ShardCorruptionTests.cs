using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BertFunctions.Datasets.Tests;

public sealed class ShardCorruptionTests
{
    private static byte[] ValidShard() => TestData.WriteShard(
        new ShardHeader(ShardKind.Classification, 100, SHA256.HashData("vocab"u8), 16),
        [new([2, 50, 51, 52, 3], [], [], 1), new([2, 60, 3], [], [], 0), new([2, 70, 71, 3], [], [], TrainingExample.NoLabel)]);

    private static InvalidDataException Read(byte[] shard) =>
        Assert.Throws<InvalidDataException>(() => TestData.ReadShard(shard));

    [Fact]
    public void Valid_shard_reads_and_verifies()
    {
        Assert.Equal(3, TestData.ReadShard(ValidShard()).Count);
        Assert.Equal(3, ShardReader.Verify(new MemoryStream(ValidShard())).Count);
    }

    [Fact]
    public void Bad_magic()
    {
        var shard = ValidShard();
        shard[0] = (byte)'X';
        Assert.Contains("bad magic", Read(shard).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_version()
    {
        var shard = ValidShard();
        BinaryPrimitives.WriteUInt16LittleEndian(shard.AsSpan(8), 2);
        Assert.Contains("Unknown shard format version 2", Read(shard).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_kind_and_inconsistent_id_width()
    {
        var shard = ValidShard();
        shard[10] = 9;
        Assert.Contains("Unknown shard kind 9", Read(shard).Message, StringComparison.Ordinal);
        shard = ValidShard();
        shard[11] = 4;
        Assert.Contains("Id width 4", Read(shard).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_closed()
    {
        var shard = ValidShard();
        BinaryPrimitives.WriteUInt32LittleEndian(shard.AsSpan(ShardFormat.CountOffset), ShardFormat.UnfinishedCount);
        Assert.Contains("never closed", Read(shard).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_anywhere()
    {
        var shard = ValidShard();
        for (var length = 0; length < shard.Length; length++)
        {
            var message = Read(shard[..length]).Message;
            Assert.True(
                message.Contains("truncated", StringComparison.Ordinal) || message.Contains("shorter than its", StringComparison.Ordinal),
                $"Cut at {length}: {message}");
        }

        // Record 0 is 18 bytes (2 + 5·2 + 2 + 4); cutting 3 bytes into record 1:
        Assert.Contains("record 1 of 3 ends early", Read(shard[..(ShardFormat.HeaderSize + 18 + 3)]).Message, StringComparison.Ordinal);
        Assert.Contains("footer", Read(shard[..^1]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flipped_bytes_fail_the_checksum()
    {
        var shard = ValidShard();
        int[] offsets =
        [
            20,                                   // vocabulary hash in the header
            ShardFormat.HeaderSize + 4,           // low byte of an id in record 0 (50 → 51 stays in the vocabulary)
            shard.Length - ShardFormat.HashSize,  // the digest itself
        ];
        foreach (var offset in offsets)
        {
            var corrupt = (byte[])shard.Clone();
            corrupt[offset] ^= 0x01;
            Assert.Contains("checksum mismatch", Read(corrupt).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_single_byte_flip_is_detected()
    {
        var shard = ValidShard();
        for (var offset = 0; offset < shard.Length; offset++)
        {
            var corrupt = (byte[])shard.Clone();
            corrupt[offset] ^= 0x40;
            Assert.Throws<InvalidDataException>(() => TestData.ReadShard(corrupt));
        }
    }

    [Fact]
    public void Trailing_data()
    {
        var shard = ValidShard();
        Assert.Contains("after the shard footer", Read([.. shard, 0]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_values_in_records()
    {
        var shard = ValidShard();
        shard[ShardFormat.HeaderSize + 4] = 200; // id 200 ≥ vocabulary size 100
        Assert.Contains("outside the vocabulary", Read(shard).Message, StringComparison.Ordinal);
        shard = ValidShard();
        BinaryPrimitives.WriteUInt16LittleEndian(shard.AsSpan(ShardFormat.HeaderSize), 17);
        Assert.Contains("sequence length 17", Read(shard).Message, StringComparison.Ordinal);
    }
}
