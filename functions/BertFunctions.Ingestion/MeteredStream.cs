namespace BertFunctions.Ingestion;

/// <summary>
/// Counts the bytes read through it and stops (reports end of stream) once more than <c>limit</c> bytes would be read, so
/// an input of unknown length (or a decompression bomb) never gets past <see cref="IngestionOptions.MaxFileBytes"/>.
/// Also turns <see cref="InvalidDataException"/> (a corrupt gzip stream) into end of stream plus <see cref="Failure"/>,
/// because an async iterator cannot yield from a catch block: the reader reports it after the records read so far.
/// </summary>
internal sealed class MeteredStream(Stream inner, long limit, Action<long>? onBytes = null, bool leaveOpen = false) : ReadOnlyWrapperStream
{
    private readonly byte[] _tail = new byte[8];

    public long BytesRead { get; private set; }

    /// <summary>The last (up to 8) bytes read: a gzip member's trailer, once the stream is read to its end.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, (int)Math.Min(BytesRead, _tail.Length));

    /// <summary>Whether reading stopped at the limit with more data behind it.</summary>
    public bool LimitReached { get; private set; }

    /// <summary>The decompression error that ended the stream, if any.</summary>
    public InvalidDataException? Failure { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (Stopped(ref buffer))
        {
            return 0;
        }

        try
        {
            return Counted(buffer, inner.Read(buffer));
        }
        catch (InvalidDataException e)
        {
            Failure = e;
            return 0;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var span = buffer.Span;
        if (Stopped(ref span))
        {
            return 0;
        }

        try
        {
            var read = await inner.ReadAsync(buffer[..span.Length], cancellationToken).ConfigureAwait(false);
            return Counted(buffer.Span, read);
        }
        catch (InvalidDataException e)
        {
            Failure = e;
            return 0;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Stopped(ref Span<byte> buffer)
    {
        if (LimitReached || Failure is not null || buffer.IsEmpty)
        {
            return true;
        }

        // Allow one byte past the limit: reading it proves there is more.
        var left = limit - BytesRead; // >= 0 here; no "+ 1" before comparing, limit may be long.MaxValue
        if (left < buffer.Length - 1)
        {
            buffer = buffer[..(int)(left + 1)];
        }

        return false;
    }

    private int Counted(ReadOnlySpan<byte> buffer, int read)
    {
        KeepTail(buffer[..read]);
        BytesRead += read;
        onBytes?.Invoke(read);
        if (BytesRead > limit)
        {
            LimitReached = true;
            read -= (int)(BytesRead - limit);
        }

        return read;
    }

    /// <summary>Called before <see cref="BytesRead"/> grows by <paramref name="bytes"/>.</summary>
    private void KeepTail(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= _tail.Length)
        {
            bytes[^_tail.Length..].CopyTo(_tail);
            return;
        }

        // Keep the newest of the stored bytes, then append the new ones.
        var stored = (int)Math.Min(BytesRead, _tail.Length);
        var keep = Math.Min(stored, _tail.Length - bytes.Length);
        _tail.AsSpan(stored - keep, keep).CopyTo(_tail);
        bytes.CopyTo(_tail.AsSpan(keep));
    }
}
