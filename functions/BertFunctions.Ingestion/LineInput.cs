namespace BertFunctions.Ingestion;

/// <summary>
/// Opens the lines of a line-based input for a <see cref="ByteRange"/>: seeks to the first line start at or after the
/// range's start when the input can seek, else reads from the beginning and lets the caller skip what it does not own.
/// </summary>
internal static class LineInput
{
    private const int ScanBytes = 4096;

    /// <param name="context">The input.</param>
    /// <param name="maxLineBytes">The line length limit.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The reader, and whether the line before its first line is blank (or there is none).</returns>
    public static async Task<(LineReader Reader, bool PreviousLineBlank)> OpenAsync(InputContext context, int maxLineBytes, CancellationToken ct)
    {
        var start = context.Range?.Start ?? 0;
        if (start == 0 || context.Seekable is not { } seekable)
        {
            return (new LineReader(context.Data, 0, maxLineBytes), true);
        }

        var lineStart = await FindLineStartAsync(seekable, start, ct).ConfigureAwait(false);
        var previousBlank = await IsPrecedingLineBlankAsync(seekable, lineStart, ct).ConfigureAwait(false);
        seekable.Seek(lineStart, SeekOrigin.Begin);
        var metered = new MeteredStream(seekable, long.MaxValue, read => context.Stats.Bytes += read, leaveOpen: true);
        return (new LineReader(metered, lineStart, maxLineBytes), previousBlank);
    }

    /// <summary>Whether a line is blank: only spaces, tabs, <c>\r</c>, <c>\v</c>, <c>\f</c>.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r\v\f"u8) < 0;

    /// <summary>The first offset at or after <paramref name="from"/> where a line starts (or the length).</summary>
    private static async Task<long> FindLineStartAsync(Stream stream, long from, CancellationToken ct)
    {
        // The byte before 'from' decides: a \n there means 'from' itself starts a line.
        stream.Seek(from - 1, SeekOrigin.Begin);
        var buffer = new byte[ScanBytes];
        var offset = from - 1;
        while (true)
        {
            var read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (read == 0)
            {
                return offset;
            }

            var newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return offset + newline + 1;
            }

            offset += read;
        }
    }

    /// <summary>Whether the line that ends just before <paramref name="lineStart"/> is blank; true at the start of the input.</summary>
    private static async Task<bool> IsPrecedingLineBlankAsync(Stream stream, long lineStart, CancellationToken ct)
    {
        // lineStart - 1 holds the \n that ends the preceding line; scan backwards from the byte before it.
        var end = lineStart - 1;
        var buffer = new byte[ScanBytes];
        while (end > 0)
        {
            var begin = Math.Max(0, end - ScanBytes);
            stream.Seek(begin, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)(end - begin)), ct).ConfigureAwait(false);
            var chunk = buffer.AsSpan(0, (int)(end - begin));
            var last = chunk.LastIndexOfAnyExcept(" \t\r\v\f"u8);
            if (last >= 0)
            {
                return chunk[last] == '\n';
            }

            end = begin;
        }

        return true;
    }
}
