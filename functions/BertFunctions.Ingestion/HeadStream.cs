namespace BertFunctions.Ingestion;

/// <summary>Replays the bytes already read to sniff an input (its head), then continues with the rest of the stream.</summary>
internal sealed class HeadStream(ReadOnlyMemory<byte> head, Stream rest) : ReadOnlyWrapperStream
{
    private ReadOnlyMemory<byte> _head = head;

    public override int Read(Span<byte> buffer)
    {
        if (!_head.IsEmpty)
        {
            return FromHead(buffer);
        }

        return rest.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _head.IsEmpty ? rest.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(FromHead(buffer.Span));

    private int FromHead(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _head.Length);
        _head.Span[..count].CopyTo(buffer);
        _head = _head[count..];
        return count;
    }
}
