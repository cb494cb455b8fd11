using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BertFunctions.Datasets;

/// <summary>Layout constants of the shard format (see docs/shard-format.md) and the header codec.</summary>
public static class ShardFormat
{
    /// <summary>The 8 bytes every shard starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "BFSHARD1"u8;

    /// <summary>The 8 bytes the footer starts with.</summary>
    public static ReadOnlySpan<byte> FooterMagic => "BFSHEND1"u8;

    /// <summary>The format version this library writes and reads.</summary>
    public const ushort Version = 1;

    /// <summary>SHA-256 size.</summary>
    public const int HashSize = 32;

    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 54;

    /// <summary>Footer size in bytes: magic, example count u32, SHA-256 digest.</summary>
    public const int FooterSize = 8 + 4 + HashSize;

    /// <summary>Offset of the example count in the header (patched when the writer closes).</summary>
    public const int CountOffset = 50;

    /// <summary>The example count a writer puts in the header until it closes; a reader seeing it reports an unfinished shard.</summary>
    public const uint UnfinishedCount = uint.MaxValue;

    /// <summary>Encoded size of one record.</summary>
    public static int RecordSize(ShardHeader header, int length, int masked)
    {
        ArgumentNullException.ThrowIfNull(header);
        return 2 + length * header.IdWidth + 2 + masked * (2 + header.IdWidth) + (header.Kind == ShardKind.Classification ? 4 : 0);
    }

    /// <summary>The largest record a shard with <paramref name="header"/> can hold.</summary>
    public static int MaxRecordSize(ShardHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return RecordSize(header, header.MaxSeqLen, header.MaxSeqLen);
    }

    internal static void WriteHeader(Span<byte> destination, ShardHeader header, uint count)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Version);
        destination[10] = (byte)header.Kind;
        destination[11] = (byte)header.IdWidth;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)header.VocabularySize);
        header.VocabularyHash.CopyTo(destination[16..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[48..], (ushort)header.MaxSeqLen);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CountOffset..], count);
    }

    internal static (ShardHeader Header, uint Count) ReadHeader(ReadOnlySpan<byte> source)
    {
        if (!source[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Not a shard: bad magic '{Printable(source[..8])}', expected 'BFSHARD1'.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]);
        if (version != Version)
        {
            throw new InvalidDataException($"Unknown shard format version {version}; this reader supports version {Version}.");
        }

        var kind = (ShardKind)source[10];
        if (!Enum.IsDefined(kind))
        {
            throw new InvalidDataException($"Unknown shard kind {source[10]} (1 = pretraining, 2 = classification).");
        }

        var width = source[11];
        var vocabularySize = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]);
        if (vocabularySize is 0 or > int.MaxValue)
        {
            throw new InvalidDataException($"Invalid vocabulary size {vocabularySize} in the shard header.");
        }

        var header = new ShardHeader(kind, (int)vocabularySize, source[16..48].ToArray(), BinaryPrimitives.ReadUInt16LittleEndian(source[48..]));
        if (width != header.IdWidth)
        {
            throw new InvalidDataException($"Id width {width} in the shard header does not match vocabulary size {vocabularySize} (expected {header.IdWidth}).");
        }

        if (header.MaxSeqLen is < SequencePacker.MinSeqLen or > SequencePacker.MaxSupportedSeqLen)
        {
            throw new InvalidDataException($"Invalid max_seq_len {header.MaxSeqLen} in the shard header (8..512).");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(source[CountOffset..]);
        if (count == UnfinishedCount)
        {
            throw new InvalidDataException("The shard was never closed: its header still has the placeholder example count (the writer did not finish).");
        }

        return (header, count);
    }

    /// <summary>
    /// The footer digest: SHA-256 over the final header bytes followed by the SHA-256 of all record bytes.
    /// Two levels because the header's count is only known at the end, while records are hashed as they stream.
    /// </summary>
    internal static void Digest(ReadOnlySpan<byte> header, ReadOnlySpan<byte> recordsHash, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[HeaderSize + HashSize];
        header.CopyTo(input);
        recordsHash.CopyTo(input[HeaderSize..]);
        SHA256.HashData(input, destination);
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        }

        return new string(chars);
    }
}
