using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BertFunctions.Datasets;

/// <summary>
/// Writes one shard: header, records, footer (docs/shard-format.md). The header's example count is patched
/// and the footer written by <see cref="Complete"/> (or <see cref="Dispose"/>). A target that cannot seek
/// (an upload stream) is written through an in-memory buffer, which is why shards are size-limited.
/// Records are encoded whole before they are written, so a shard always ends on a record boundary.
/// </summary>
public sealed class ShardWriter : IDisposable
{
    private readonly Stream _target;
    private readonly Stream _sink;
    private readonly long _start;
    private readonly bool _leaveOpen;
    private readonly byte[] _record;
    private readonly IncrementalHash _recordsHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ShardStatistics? _statistics;
    private bool _completed;

    /// <summary>Starts a shard at the current position of <paramref name="output"/>.</summary>
    /// <param name="output">Where the shard goes.</param>
    /// <param name="header">Kind, vocabulary and length limit.</param>
    /// <param name="statistics">Updated with every example written, when given.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open after <see cref="Dispose"/>.</param>
    public ShardWriter(Stream output, ShardHeader header, ShardStatistics? statistics = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        header.Validate();
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        _target = output;
        _leaveOpen = leaveOpen;
        _statistics = statistics;
        Header = header;
        _sink = output.CanSeek ? output : new MemoryStream();
        _start = _sink.Position;
        _record = new byte[ShardFormat.MaxRecordSize(header)];
        Span<byte> head = stackalloc byte[ShardFormat.HeaderSize];
        ShardFormat.WriteHeader(head, header, ShardFormat.UnfinishedCount);
        _sink.Write(head);
        Length = ShardFormat.HeaderSize;
    }

    /// <summary>The header fields.</summary>
    public ShardHeader Header { get; }

    /// <summary>Examples written so far.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes written so far (header and records; the footer adds <see cref="ShardFormat.FooterSize"/>).</summary>
    public long Length { get; private set; }

    /// <summary>Bytes the shard will have once complete.</summary>
    public long CompletedLength => Length + ShardFormat.FooterSize;

    /// <summary>Appends one example.</summary>
    /// <exception cref="ArgumentException">The example does not fit the header (length, ids, positions, label).</exception>
    public void Write(TrainingExample example)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var size = Encode(example);
        _sink.Write(_record, 0, size);
        _recordsHash.AppendData(_record, 0, size);
        Length += size;
        Count++;
        _statistics?.Add(example);
    }

    /// <summary>Writes the footer and patches the example count; further writes throw. Idempotent.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        Span<byte> head = stackalloc byte[ShardFormat.HeaderSize];
        ShardFormat.WriteHeader(head, Header, (uint)Count);
        Span<byte> footer = stackalloc byte[ShardFormat.FooterSize];
        ShardFormat.FooterMagic.CopyTo(footer);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[8..], (uint)Count);
        ShardFormat.Digest(head, _recordsHash.GetHashAndReset(), footer[12..]);
        _sink.Write(footer);
        var end = _sink.Position;
        _sink.Position = _start + ShardFormat.CountOffset;
        _sink.Write(head[ShardFormat.CountOffset..]);
        _sink.Position = end;
        if (!ReferenceEquals(_sink, _target))
        {
            _sink.Position = 0;
            _sink.CopyTo(_target);
        }

        _target.Flush();
    }

    /// <summary>Completes the shard and closes the output unless asked to leave it open.</summary>
    public void Dispose()
    {
        try
        {
            Complete();
        }
        finally
        {
            _recordsHash.Dispose();
            if (!ReferenceEquals(_sink, _target))
            {
                _sink.Dispose();
            }

            if (!_leaveOpen)
            {
                _target.Dispose();
            }
        }
    }

    private int Encode(TrainingExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var ids = example.InputIds ?? throw new ArgumentException("InputIds is null.", nameof(example));
        var positions = example.MaskedPositions ?? throw new ArgumentException("MaskedPositions is null.", nameof(example));
        var originals = example.MaskedOriginalIds ?? throw new ArgumentException("MaskedOriginalIds is null.", nameof(example));
        if (ids.Length == 0 || ids.Length > Header.MaxSeqLen)
        {
            throw new ArgumentException($"A sequence of {ids.Length} ids does not fit max_seq_len {Header.MaxSeqLen}.", nameof(example));
        }

        if (positions.Length != originals.Length)
        {
            throw new ArgumentException($"{positions.Length} masked positions but {originals.Length} original ids.", nameof(example));
        }

        if (Header.Kind == ShardKind.Classification ? example.Label < TrainingExample.NoLabel : example.Label != TrainingExample.NoLabel)
        {
            throw new ArgumentException($"Label {example.Label} is not allowed in a {Header.Kind} shard.", nameof(example));
        }

        var width = Header.IdWidth;
        var span = _record.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)ids.Length);
        var offset = 2;
        foreach (var id in ids)
        {
            offset = WriteId(span, offset, id, width);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)positions.Length);
        offset += 2;
        var previous = -1;
        foreach (var position in positions)
        {
            if (position <= previous || position >= ids.Length)
            {
                throw new ArgumentException($"Masked positions must be ascending, unique and inside the sequence; got {position} after {previous} in a sequence of {ids.Length}.", nameof(example));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)position);
            offset += 2;
            previous = position;
        }

        foreach (var id in originals)
        {
            offset = WriteId(span, offset, id, width);
        }

        if (Header.Kind == ShardKind.Classification)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], example.Label);
            offset += 4;
        }

        return offset;
    }

    private int WriteId(Span<byte> span, int offset, int id, int width)
    {
        if ((uint)id >= (uint)Header.VocabularySize)
        {
            throw new ArgumentException($"Id {id} is outside the vocabulary (size {Header.VocabularySize}).", nameof(id));
        }

        if (width == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)id);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], id);
        }

        return offset + width;
    }
}
