namespace BertFunctions.Ingestion;

/// <summary>
/// A seekable, read-only view of an input for readers that jump around in it (Parquet: footer first, then one column
/// chunk at a time). Counts the bytes actually read, and remembers an exception the input itself threw, so that a
/// failing download (an I/O error of the input, which must propagate) is told apart from a parser's complaint about
/// bad content (which is quarantined).
/// </summary>
internal sealed class SeekableSource(Stream inner, Action<long>? onBytes, bool leaveOpen) : Stream
{
    /// <summary>The first exception the input stream threw, if any.</summary>
    public Exception? Fault { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => Guard(() => inner.Length);

    public override long Position
    {
        get => Guard(() => inner.Position);
        set => Seek(value, SeekOrigin.Begin);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };

        // A bad offset read from the file is the content's fault, not the input's: refuse it without recording a fault.
        return target < 0
            ? throw new IOException($"seek to byte {target:N0}, before the start of the input")
            : Guard(() => inner.Seek(target, SeekOrigin.Begin));
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(inner.Read(buffer));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fault ??= e;
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fault ??= e;
            throw;
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

    private int Counted(int read)
    {
        onBytes?.Invoke(read);
        return read;
    }

    private T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fault ??= e;
            throw;
        }
    }
}
