namespace BertFunctions.Ingestion;

/// <summary>One line as bytes (without <c>\n</c> or a trailing <c>\r</c>), valid until the next read.</summary>
/// <param name="Bytes">The content; empty when <see cref="TooLong"/>.</param>
/// <param name="Start">Byte offset of the line's first byte in the input.</param>
/// <param name="Number">1-based line number, counted from where reading began.</param>
/// <param name="TooLong">The line exceeded the limit and was skipped, not buffered.</param>
/// <param name="Length">The line's length in bytes (also when too long).</param>
/// <param name="Blank">Whether the line holds only whitespace bytes (also known when too long).</param>
internal readonly record struct Line(ReadOnlyMemory<byte> Bytes, long Start, long Number, bool TooLong, long Length, bool Blank);

/// <summary>
/// Splits a byte stream into lines with bounded memory: a line longer than <c>maxLineBytes</c> is streamed through (and
/// reported as too long) rather than buffered, so a 100 MB line costs no more memory than a short one.
/// </summary>
internal sealed class LineReader(Stream stream, long startOffset, int maxLineBytes)
{
    private const int ChunkBytes = 64 * 1024;

    private byte[] _buffer = new byte[Math.Min(ChunkBytes, maxLineBytes + 2)];
    private int _begin;
    private int _end;
    private bool _eof;
    private long _offset = startOffset; // input offset of _buffer[_begin]
    private long _number;

    /// <summary>The offset of the next unread byte.</summary>
    public long Offset => _offset;

    /// <summary>The next line, or <see langword="null"/> at the end of the stream.</summary>
    public async ValueTask<Line?> ReadLineAsync(CancellationToken ct)
    {
        var scanned = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_begin + scanned, _end - _begin - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return Take(_begin + scanned + newline, consumeNewline: true);
            }

            scanned = _end - _begin;
            if (scanned > maxLineBytes + 1)
            {
                // +1: a trailing \r is not content.
                return await SkipLongLineAsync(ct).ConfigureAwait(false);
            }

            if (_eof)
            {
                return _end > _begin ? Take(_end, consumeNewline: false) : null;
            }

            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    private Line Take(int end, bool consumeNewline)
    {
        var length = end - _begin;
        var content = length > 0 && _buffer[end - 1] == '\r' ? length - 1 : length;
        var bytes = _buffer.AsMemory(_begin, content);
        var line = new Line(bytes, _offset, ++_number, content > maxLineBytes, content, LineInput.IsBlank(bytes.Span));
        if (line.TooLong)
        {
            line = line with { Bytes = ReadOnlyMemory<byte>.Empty };
        }

        Advance(length + (consumeNewline ? 1 : 0));
        return line;
    }

    private async ValueTask<Line> SkipLongLineAsync(CancellationToken ct)
    {
        var start = _offset;
        var lastByte = (byte)0;
        var blank = true;
        while (true)
        {
            var span = _buffer.AsSpan(_begin, _end - _begin);
            var newline = span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = _offset + newline - start;
                if (newline > 0 ? span[newline - 1] == '\r' : lastByte == '\r')
                {
                    length--;
                }

                blank &= LineInput.IsBlank(span[..newline]);
                Advance(newline + 1);
                return new Line(ReadOnlyMemory<byte>.Empty, start, ++_number, TooLong: true, length, blank);
            }

            if (!span.IsEmpty)
            {
                lastByte = span[^1];
                blank &= LineInput.IsBlank(span);
            }

            Advance(span.Length);
            if (_eof)
            {
                return new Line(ReadOnlyMemory<byte>.Empty, start, ++_number, TooLong: true, _offset - start, blank);
            }

            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    private void Advance(int count)
    {
        _begin += count;
        _offset += count;
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_begin > 0)
        {
            // Compact: the unread bytes move to the front.
            _buffer.AsSpan(_begin, _end - _begin).CopyTo(_buffer);
            _end -= _begin;
            _begin = 0;
        }

        if (_end == _buffer.Length)
        {
            // Grow, but never past what the longest allowed line needs (+2 for \r and one byte of proof).
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, maxLineBytes + 2L));
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
