using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>
/// Turns one input (a stream and its name) into clean documents or quarantine entries. Host-agnostic: the caller lists,
/// opens and fans out inputs; this class only reads. Safe to share between concurrent reads (it holds only the options).
/// </summary>
public sealed class DocumentReader
{
    private readonly IngestionOptions _options;
    private readonly IReadOnlyList<Glob> _include;
    private readonly IReadOnlyList<Glob> _exclude;
    private readonly LabelResolver _labels;
    private readonly DocumentFinisher _finisher;
    private readonly TextFormat _text;
    private readonly JsonLinesFormat _jsonLines;
    private readonly DelimitedFormat _delimited;
    private readonly EmailFormat _email;
    private readonly ParquetFormat _parquet;

    /// <summary>Creates a reader; throws <see cref="ArgumentException"/> listing every problem when the options are invalid.</summary>
    public DocumentReader(IngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _include = [.. options.Include.Select(p => new Glob(p))];
        _exclude = [.. options.Exclude.Select(p => new Glob(p))];
        _labels = new LabelResolver(options);
        _finisher = new DocumentFinisher(options, _labels);
        _text = new TextFormat(options, _finisher);
        _jsonLines = new JsonLinesFormat(options, _finisher);
        _delimited = new DelimitedFormat(options, _finisher);
        _email = new EmailFormat(_finisher);
        _parquet = new ParquetFormat(options, _finisher);
    }

    /// <summary>The options this reader applies.</summary>
    public IngestionOptions Options => _options;

    /// <summary>An uploader's completion marker (Hadoop's <c>_SUCCESS</c>, at the dataset's root): never a document.</summary>
    public const string CompletionMarker = "_SUCCESS";

    /// <summary>Whether an input of this name (relative to the dataset's prefix) is read: it matches an include glob and no exclude glob, and is not the <see cref="CompletionMarker"/>.</summary>
    public bool Accepts(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name != CompletionMarker && _include.Any(g => g.MatchesInput(name)) && !_exclude.Any(g => g.MatchesInput(name));
    }

    /// <summary>As <see cref="Accepts(string)"/>, counting a turned-away input in <see cref="ReadStatistics.ExcludedFiles"/>.</summary>
    public bool Accepts(string name, ReadStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var accepted = Accepts(name);
        if (!accepted)
        {
            stats.ExcludedFiles++;
        }

        return accepted;
    }

    /// <summary>
    /// Streams the documents of one input. Never throws for bad content (only for cancellation and for I/O errors of
    /// <paramref name="content"/>): bad content becomes <see cref="ReadItem.Quarantined"/> items, and every record seen
    /// yields exactly one item.
    /// </summary>
    /// <param name="name">The input's name or path (its extension picks the format; its folder may give the label).</param>
    /// <param name="content">The input's bytes, from its start. Seekable streams let size checks and ranges avoid reading.</param>
    /// <param name="stats">Counters to add to; one instance per concurrent read.</param>
    /// <param name="range">A byte range to read (see <see cref="ByteRange"/>); <see langword="null"/> for the whole input.</param>
    /// <param name="ct">Cancellation.</param>
    public async IAsyncEnumerable<ReadItem> ReadAsync(
        string name,
        Stream content,
        ReadStatistics stats,
        ByteRange? range = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(stats);
        if (range is { } r && (r.Start < 0 || r.End < r.Start))
        {
            throw new ArgumentOutOfRangeException(nameof(range), range, "A range needs 0 <= Start <= End.");
        }

        stats.Files++;
        await foreach (var item in ReadItemsAsync(name, content, stats, range, ct).ConfigureAwait(false))
        {
            stats.Count(item);
            yield return item;
        }
    }

    private async IAsyncEnumerable<ReadItem> ReadItemsAsync(string name, Stream content, ReadStatistics stats, ByteRange? range, [EnumeratorCancellation] CancellationToken ct)
    {
        // Inputs that cannot be split belong to the range that holds offset 0; file-level verdicts are reported by it alone.
        var ownsStart = range is not { } owner || owner.Start == 0;
        long? length = content.CanSeek ? content.Length : null;
        if (length == 0)
        {
            if (ownsStart)
            {
                yield return Quarantine(name, QuarantineReasons.EmptyFile, "0 bytes");
            }

            yield break;
        }

        if (range is null && length > _options.MaxFileBytes)
        {
            yield return Quarantine(name, QuarantineReasons.FileTooLarge, $"{length:N0} bytes (limit {_options.MaxFileBytes:N0}); not read");
            yield break;
        }

        var compressed = InputNames.Extension(name) == ".gz";
        var innerName = compressed ? InputNames.WithoutExtension(name) : name;
        var declared = _options.Format == InputFormat.Auto ? FormatResolver.ByExtension(innerName) : _options.Format;
        if (declared is null)
        {
            if (ownsStart)
            {
                yield return Quarantine(name, QuarantineReasons.UnsupportedFormat, $"'{InputNames.Extension(innerName)}' files are not read");
            }

            yield break;
        }

        if (declared == InputFormat.Parquet)
        {
            // Binary, and read from its footer, by row group: none of the sniffing and decoding below applies. It is
            // never split, so the range that holds offset 0 reads it whole.
            await foreach (var item in ReadParquetAsync(name, content, stats, compressed, ownsStart, length, ct).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        if (range is not null && content.CanSeek)
        {
            content.Seek(0, SeekOrigin.Begin);
        }

        // Known lengths were checked above; a stream of unknown length is cut off at the limit instead.
        using var raw = new MeteredStream(content, length is null ? _options.MaxFileBytes : long.MaxValue, read => stats.Bytes += read, leaveOpen: true);
        var data = compressed
            ? new MeteredStream(new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true), _options.MaxFileBytes)
            : raw;
        using var decompressed = compressed ? data : null;
        var head = await ReadHeadAsync(data, ct).ConfigureAwait(false);

        if (compressed && data.Failure is { } corrupt)
        {
            if (ownsStart)
            {
                yield return Quarantine(name, QuarantineReasons.CorruptArchive, "gzip: " + corrupt.Message);
            }

            yield break;
        }

        if (head.Length == 0)
        {
            if (ownsStart)
            {
                yield return Quarantine(name, QuarantineReasons.EmptyFile, compressed ? "0 bytes after decompression" : "0 bytes");
            }

            yield break;
        }

        var binary = ContentSniffer.WhyBinary(head.Span, countInvalidUtf8: false);
        var format = declared == InputFormat.Auto && binary is null ? FormatResolver.Sniff(head.Span) : declared.Value;
        if (format == InputFormat.Auto)
        {
            format = InputFormat.Text;
        }

        binary ??= format == InputFormat.Email ? null : ContentSniffer.WhyBinary(head.Span, countInvalidUtf8: true);
        if (binary is not null)
        {
            if (ownsStart)
            {
                yield return Quarantine(name, QuarantineReasons.BinaryFile, binary);
            }

            yield break;
        }

        var charsets = new Charsets(stats);
        var (encoding, bomLength) = charsets.FromByteOrderMark(head.Span);
        Stream stream = new HeadStream(head, data);
        var transcoded = encoding.CodePage != Encoding.UTF8.CodePage;
        if (transcoded)
        {
            // UTF-16/32: every reader below works on UTF-8 bytes.
            await stream.ReadExactlyAsync(new byte[bomLength], ct).ConfigureAwait(false);
            stream = Encoding.CreateTranscodingStream(stream, encoding, Encoding.UTF8, leaveOpen: true);
            (encoding, bomLength) = (charsets.Utf8, 0);
        }

        var splittable = ByteRangeSplitting.ByContent(format, compressed, transcoded, _options);
        if (range is { } part && !splittable && part.Start != 0)
        {
            yield break;
        }

        var rangeBytes = splittable && range is { } owned ? owned.Length : length;
        if (range is not null && rangeBytes > _options.MaxFileBytes)
        {
            yield return Quarantine(name, QuarantineReasons.FileTooLarge, $"{rangeBytes:N0} bytes to read (limit {_options.MaxFileBytes:N0}); not read", splittable ? $"byte {range.Value.Start}" : "");
            yield break;
        }

        var context = new InputContext(
            name,
            stream,
            head,
            encoding,
            bomLength,
            splittable && content.CanSeek ? content : null,
            splittable ? range : null,
            _labels.FolderLabel(name),
            charsets,
            stats);
        var items = format switch
        {
            InputFormat.JsonLines => _jsonLines.ReadAsync(context, ct),
            InputFormat.Csv => _delimited.ReadAsync(context, ',', ct),
            InputFormat.Tsv => _delimited.ReadAsync(context, '\t', ct),
            InputFormat.Email => _email.ReadAsync(context, ct),
            _ => _text.ReadAsync(context, ct),
        };
        await foreach (var item in items.ConfigureAwait(false))
        {
            yield return item;
        }

        var truncation = compressed ? await CheckGzipTrailerAsync(raw, data, ct).ConfigureAwait(false) : null;
        if (data.Failure is { } failure)
        {
            yield return Quarantine(name, QuarantineReasons.CorruptArchive, "gzip: " + failure.Message + " (the records before this point were read)");
        }
        else if (data.LimitReached || raw.LimitReached)
        {
            yield return Quarantine(name, QuarantineReasons.FileTooLarge, $"more than {_options.MaxFileBytes:N0} bytes{(data.LimitReached && compressed ? " after decompression" : "")}; reading stopped there (the records before were read)");
        }
        else if (truncation is not null)
        {
            yield return Quarantine(name, QuarantineReasons.CorruptArchive, truncation);
        }
    }

    private async IAsyncEnumerable<ReadItem> ReadParquetAsync(string name, Stream content, ReadStatistics stats, bool compressed, bool ownsStart, long? length, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!ownsStart)
        {
            yield break;
        }

        if (compressed)
        {
            yield return Quarantine(name, QuarantineReasons.UnsupportedFormat, "gzip around a Parquet file is not read (Parquet compresses its own pages): upload the .parquet file");
            yield break;
        }

        if (length > _options.MaxFileBytes)
        {
            yield return Quarantine(name, QuarantineReasons.FileTooLarge, $"{length:N0} bytes (limit {_options.MaxFileBytes:N0}); not read");
            yield break;
        }

        await foreach (var item in _parquet.ReadAsync(name, content, stats, _labels.FolderLabel(name), ct).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>
    /// .NET's GZipStream ends quietly on truncated input, so the end is checked here: the data is read to its end, and the
    /// size in the gzip trailer (the last 4 bytes, size mod 2^32) must match what came out. A multi-member gzip whose
    /// last member is not the whole file would be flagged too; such files (bgzip, pigz -i) are rare for text corpora.
    /// </summary>
    private static async Task<string?> CheckGzipTrailerAsync(MeteredStream raw, MeteredStream data, CancellationToken ct)
    {
        var scratch = new byte[64 * 1024];
        while (await data.ReadAsync(scratch, ct).ConfigureAwait(false) > 0)
        {
            // Drain: a reader may stop early (a too-long text), and the trailer comes last.
        }

        if (data.Failure is not null || data.LimitReached || raw.LimitReached)
        {
            return null;
        }

        var tail = raw.Tail;
        var size = tail.Length == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) : (uint?)null;
        return size == (uint)data.BytesRead
            ? null
            : $"gzip: truncated or damaged: {data.BytesRead:N0} bytes decompressed, the trailer says {size:N0} (mod 2^32) (the records before this point were read)";
    }

    private static async Task<ReadOnlyMemory<byte>> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[ContentSniffer.HeadBytes];
        var filled = 0;
        int read;
        while (filled < head.Length && (read = await stream.ReadAsync(head.AsMemory(filled), ct).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        return head.AsMemory(0, filled);
    }

    private static ReadItem Quarantine(string name, string reason, string detail, string locator = "") =>
        DocumentFinisher.Quarantine(name, locator, reason, detail);
}
