using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace BertFunctions.Datasets;

/// <summary>
/// Streams the records of one shard from a stream, one record in memory at a time. The header is checked
/// when the reader opens; records as they are read (lengths, ids, positions); the footer's example count
/// and SHA-256 digest after the last record, so a corrupt shard surfaces as an
/// <see cref="InvalidDataException"/> at the end of the enumeration at the latest — consumers that must not
/// see any example of a bad shard call <see cref="Verify"/> first. The records can be enumerated once.
/// </summary>
public sealed class ShardReader : IDisposable
{
    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly byte[] _headerBytes;
    private readonly byte[] _buffer;
    private bool _started;

    private ShardReader(Stream input, byte[] headerBytes, bool leaveOpen)
    {
        _input = input;
        _leaveOpen = leaveOpen;
        _headerBytes = headerBytes;
        (Header, var count) = ShardFormat.ReadHeader(headerBytes);
        Count = checked((int)count);
        _buffer = new byte[Math.Max(ShardFormat.MaxRecordSize(Header), ShardFormat.FooterSize)];
    }

    /// <summary>The header fields.</summary>
    public ShardHeader Header { get; }

    /// <summary>Number of examples the header announces.</summary>
    public int Count { get; }

    /// <summary>Reads and checks the header.</summary>
    /// <exception cref="InvalidDataException">Too short, bad magic, unknown version or kind, inconsistent fields, or never closed.</exception>
    public static ShardReader Open(Stream input, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = new byte[ShardFormat.HeaderSize];
        if (input.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            throw new InvalidDataException($"Not a shard: shorter than its {ShardFormat.HeaderSize}-byte header.");
        }

        return new ShardReader(input, header, leaveOpen);
    }

    /// <summary>Reads and checks the header asynchronously.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Open"/>.</exception>
    public static async Task<ShardReader> OpenAsync(Stream input, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = new byte[ShardFormat.HeaderSize];
        if (await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < header.Length)
        {
            throw new InvalidDataException($"Not a shard: shorter than its {ShardFormat.HeaderSize}-byte header.");
        }

        return new ShardReader(input, header, leaveOpen);
    }

    /// <summary>Reads a whole shard, keeping nothing, and throws if anything is wrong with it.</summary>
    /// <returns>The header and the number of examples.</returns>
    public static (ShardHeader Header, int Count) Verify(Stream input, bool leaveOpen = false)
    {
        using var reader = Open(input, leaveOpen);
        var count = 0;
        foreach (var unused in reader.ReadExamples())
        {
            count++;
        }

        return (reader.Header, count);
    }

    /// <summary>The examples, in order, then the footer checks.</summary>
    /// <exception cref="InvalidDataException">A record is truncated or invalid, or the footer is missing, wrong, or followed by data.</exception>
    public IEnumerable<TrainingExample> ReadExamples()
    {
        StartOnce();
        return ReadCore();
    }

    /// <summary>The examples, in order, then the footer checks, reading asynchronously.</summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadExamples"/>.</exception>
    public IAsyncEnumerable<TrainingExample> ReadExamplesAsync(CancellationToken cancellationToken = default)
    {
        StartOnce();
        return ReadCoreAsync(cancellationToken);
    }

    /// <summary>Closes the input unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _input.Dispose();
        }
    }

    private IEnumerable<TrainingExample> ReadCore()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var index = 0; index < Count; index++)
        {
            var length = Fill(0, 2, index, hash);
            var masked = Fill(2, length, index, hash);
            Fill(2 + length, masked, index, hash);
            yield return Decode(index, 2 + length + masked);
        }

        Fill(0, ShardFormat.FooterSize, -1, hash: null);
        CheckFooter(hash);
        if (_input.Read(_buffer, 0, 1) > 0)
        {
            throw new InvalidDataException("Data after the shard footer: the shard is corrupt or two shards were concatenated.");
        }
    }

    private async IAsyncEnumerable<TrainingExample> ReadCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var index = 0; index < Count; index++)
        {
            var length = await FillAsync(0, 2, index, hash, cancellationToken).ConfigureAwait(false);
            var masked = await FillAsync(2, length, index, hash, cancellationToken).ConfigureAwait(false);
            await FillAsync(2 + length, masked, index, hash, cancellationToken).ConfigureAwait(false);
            yield return Decode(index, 2 + length + masked);
        }

        await FillAsync(0, ShardFormat.FooterSize, -1, hash: null, cancellationToken).ConfigureAwait(false);
        CheckFooter(hash);
        if (await _input.ReadAsync(_buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidDataException("Data after the shard footer: the shard is corrupt or two shards were concatenated.");
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes to <paramref name="offset"/> and returns the size of the record part that follows.</summary>
    private int Fill(int offset, int count, int index, IncrementalHash? hash)
    {
        if (_input.ReadAtLeast(_buffer.AsSpan(offset, count), count, throwOnEndOfStream: false) < count)
        {
            throw Truncated(index);
        }

        return Consumed(offset, count, index, hash);
    }

    private async ValueTask<int> FillAsync(int offset, int count, int index, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        if (await _input.ReadAtLeastAsync(_buffer.AsMemory(offset, count), count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < count)
        {
            throw Truncated(index);
        }

        return Consumed(offset, count, index, hash);
    }

    /// <summary>Hashes what was read and, from the length prefixes, works out how many bytes the next part of the record has.</summary>
    private int Consumed(int offset, int count, int index, IncrementalHash? hash)
    {
        hash?.AppendData(_buffer, offset, count);
        var width = Header.IdWidth;
        if (index < 0)
        {
            return 0;
        }

        if (offset == 0)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(_buffer);
            if (length == 0 || length > Header.MaxSeqLen)
            {
                throw new InvalidDataException($"Record {index}: sequence length {length} is outside 1..{Header.MaxSeqLen}.");
            }

            return length * width + 2;
        }

        if (offset == 2)
        {
            var masked = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(offset + count - 2));
            var length = (count - 2) / width;
            if (masked > length)
            {
                throw new InvalidDataException($"Record {index}: {masked} masked positions in a sequence of {length}.");
            }

            return masked * (2 + width) + (Header.Kind == ShardKind.Classification ? 4 : 0);
        }

        return 0;
    }

    private TrainingExample Decode(int index, int size)
    {
        var span = _buffer.AsSpan(0, size);
        var width = Header.IdWidth;
        var ids = new int[BinaryPrimitives.ReadUInt16LittleEndian(span)];
        var offset = 2;
        for (var i = 0; i < ids.Length; i++, offset += width)
        {
            ids[i] = ReadId(span[offset..], index);
        }

        var positions = new int[BinaryPrimitives.ReadUInt16LittleEndian(span[offset..])];
        offset += 2;
        for (var i = 0; i < positions.Length; i++, offset += 2)
        {
            positions[i] = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            if (positions[i] >= ids.Length || (i > 0 && positions[i] <= positions[i - 1]))
            {
                throw new InvalidDataException($"Record {index}: masked positions are not ascending inside the sequence (position {positions[i]}).");
            }
        }

        var originals = new int[positions.Length];
        for (var i = 0; i < originals.Length; i++, offset += width)
        {
            originals[i] = ReadId(span[offset..], index);
        }

        var label = TrainingExample.NoLabel;
        if (Header.Kind == ShardKind.Classification)
        {
            label = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
            if (label < TrainingExample.NoLabel)
            {
                throw new InvalidDataException($"Record {index}: invalid label {label}.");
            }
        }

        return new TrainingExample(ids, positions, originals, label);
    }

    private int ReadId(ReadOnlySpan<byte> source, int index)
    {
        var id = Header.IdWidth == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(source) : BinaryPrimitives.ReadInt32LittleEndian(source);
        if ((uint)id >= (uint)Header.VocabularySize)
        {
            throw new InvalidDataException($"Record {index}: id {id} is outside the vocabulary (size {Header.VocabularySize}).");
        }

        return id;
    }

    private void CheckFooter(IncrementalHash hash)
    {
        var footer = _buffer.AsSpan(0, ShardFormat.FooterSize);
        if (!footer[..8].SequenceEqual(ShardFormat.FooterMagic))
        {
            throw new InvalidDataException("Bad shard footer magic (expected 'BFSHEND1'): the shard is corrupt or its header's example count is wrong.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]);
        if (count != (uint)Count)
        {
            throw new InvalidDataException($"The shard footer counts {count} examples but the header {Count}.");
        }

        Span<byte> expected = stackalloc byte[ShardFormat.HashSize];
        ShardFormat.Digest(_headerBytes, hash.GetHashAndReset(), expected);
        if (!expected.SequenceEqual(footer[12..]))
        {
            throw new InvalidDataException("Shard checksum mismatch: the SHA-256 in the footer does not match the header and records (the shard is corrupt).");
        }
    }

    private InvalidDataException Truncated(int index) => index < 0
        ? new InvalidDataException($"The shard is truncated: the footer after its {Count} records is missing or incomplete.")
        : new InvalidDataException($"The shard is truncated: record {index} of {Count} ends early.");

    private void StartOnce()
    {
        if (_started)
        {
            throw new InvalidOperationException("A shard's records can be read only once per reader.");
        }

        _started = true;
    }
}
