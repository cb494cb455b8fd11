using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace BertFunctions.Ingestion;

/// <summary>
/// Apache Parquet through Parquet.Net, one row group at a time: the footer is read first, then only the text and label
/// columns of each row group in turn (other columns are never read), so memory holds one row group's two columns,
/// never the file. The same rules as CSV: a file without the text column is quarantined whole
/// (<see cref="QuarantineReasons.MalformedRow"/>, naming the columns it has); a null text is a malformed row; a text
/// longer than <see cref="IngestionOptions.MaxLineBytes"/> characters is <see cref="QuarantineReasons.LineTooLong"/>;
/// everything else goes through the same finisher. A file Parquet.Net cannot open is
/// <see cref="QuarantineReasons.MalformedDocument"/>; a row group it cannot decode is quarantined as a whole and the
/// next one is read. Decompressed column data counts against <see cref="IngestionOptions.MaxFileBytes"/>, as gzip's does.
/// Rows are numbered from 1 across the file (<c>row 1</c> is the first record: Parquet has no header row).
/// </summary>
internal sealed class ParquetFormat(IngestionOptions options, DocumentFinisher finisher)
{
    /// <summary>Memory a row takes besides its column bytes (two array slots and string headers), for the size check.</summary>
    private const long BytesPerRow = 64;

    public async IAsyncEnumerable<ReadItem> ReadAsync(string name, Stream content, ReadStatistics stats, string? folderLabel, [EnumeratorCancellation] CancellationToken ct)
    {
        FileStream? spool = null;
        if (!content.CanSeek)
        {
            spool = await SpoolAsync(content, stats, ct).ConfigureAwait(false);
            if (spool is null)
            {
                yield return Quarantine(name, "", QuarantineReasons.FileTooLarge, $"more than {options.MaxFileBytes:N0} bytes; not read (a Parquet file is read from its end)");
                yield break;
            }
        }

        await using var spooled = spool;
        var charsets = new Charsets(stats);
        await using var source = spool is null
            ? new SeekableSource(content, read => stats.Bytes += read, leaveOpen: true)
            : new SeekableSource(spool, onBytes: null, leaveOpen: true);
        var (reader, openProblem) = await TryAsync(source, () => ParquetReader.CreateAsync(source, null, leaveStreamOpen: true, ct)).ConfigureAwait(false);
        if (reader is null)
        {
            yield return Quarantine(name, "", QuarantineReasons.MalformedDocument, "not a readable Parquet file: " + openProblem);
            yield break;
        }

        await using var readerScope = reader;
        var (text, label, columnProblem) = ParquetColumns.Find(reader.Schema, options.TextField, options.LabelField);
        if (text is null)
        {
            yield return Quarantine(name, "", QuarantineReasons.MalformedRow, columnProblem!);
            yield break;
        }

        long rowsBefore = 0;
        long decoded = 0;
        for (var index = 0; index < reader.RowGroupCount; index++)
        {
            var (opened, metadataProblem) = await TryAsync(source, () => Task.FromResult(OpenGroup(reader, index, text, label))).ConfigureAwait(false);
            if (opened is not { } metadata)
            {
                yield return Quarantine(name, "", QuarantineReasons.MalformedDocument, $"row group {index}: unreadable metadata: {metadataProblem}; reading stopped there (the rows before were read)");
                yield break;
            }

            var (group, rows, size) = metadata;
            var where = $"row group {index} (rows {rowsBefore + 1}-{rowsBefore + rows})";
            if (rows > Array.MaxLength || decoded + size > options.MaxFileBytes)
            {
                // Checked before the row group is read: its columns are held in memory whole.
                yield return Quarantine(name, "", QuarantineReasons.FileTooLarge, $"{where} would bring the decompressed data to {decoded + size:N0} bytes (limit {options.MaxFileBytes:N0}); reading stopped there (the rows before were read)");
                yield break;
            }

            decoded += size;
            var (columns, groupProblem) = await TryAsync(source, () => ReadGroupAsync(group, text, label, charsets, ct)).ConfigureAwait(false);
            if (columns is null)
            {
                yield return Quarantine(name, where, QuarantineReasons.MalformedDocument, $"the row group does not decode: {groupProblem} (its rows are not read; the next row group is)");
                rowsBefore += rows;
                continue;
            }

            var (texts, labels) = columns.Value;
            for (var i = 0; i < texts.Length; i++)
            {
                yield return Finish(name, $"row {rowsBefore + i + 1}", texts[i], labels?[i], folderLabel);
            }

            rowsBefore += rows;
        }
    }

    /// <summary>A row group's reader, row count and the memory its two columns take decompressed (from the file's metadata).</summary>
    private static (ParquetRowGroupReader Group, long Rows, long Bytes)? OpenGroup(ParquetReader reader, int index, DataField text, DataField? label)
    {
        var group = reader.OpenRowGroupReader(index);
        var rows = Math.Max(0, group.RowCount);
        // Clamped so that a corrupt count or size cannot overflow past the limit check.
        var bytes = ParquetColumns.UncompressedBytes(group, text) + (label is null ? 0 : ParquetColumns.UncompressedBytes(group, label)) + (Math.Min(rows, Array.MaxLength + 1L) * BytesPerRow);
        return (group, rows, bytes);
    }

    private ReadItem Finish(string name, string locator, string? text, string? label, string? folderLabel)
    {
        if (text is null)
        {
            return Quarantine(name, locator, QuarantineReasons.MalformedRow, $"'{options.TextField}' is null");
        }

        // As for a CSV field: the limit is in characters of the value.
        return text.Length > options.MaxLineBytes
            ? Quarantine(name, locator, QuarantineReasons.LineTooLong, $"{text.Length:N0} characters (limit {options.MaxLineBytes:N0})")
            : finisher.Finish(name, locator, text, label, folderLabel);
    }

    private static async Task<(string?[] Texts, string?[]? Labels)?> ReadGroupAsync(ParquetRowGroupReader group, DataField text, DataField? label, Charsets charsets, CancellationToken ct)
    {
        var texts = await ParquetColumns.ReadAsync(group, text, charsets, ct).ConfigureAwait(false);
        var labels = label is null ? null : await ParquetColumns.ReadAsync(group, label, charsets, ct).ConfigureAwait(false);
        return (texts, labels);
    }

    /// <summary>
    /// Runs a Parquet.Net call and turns its complaint about the content into a message. Cancellation, and any failure of
    /// the input stream itself (a download that broke), propagate: those are not the file's fault.
    /// </summary>
    private static async Task<(T? Value, string? Problem)> TryAsync<T>(SeekableSource source, Func<Task<T>> operation)
    {
        try
        {
            return (await operation().ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is not OperationCanceledException && source.Fault is null)
        {
            return (default, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Parquet is read from its end (the footer), so a stream that cannot seek is first copied to a temporary file that
    /// is deleted on close, at most <see cref="IngestionOptions.MaxFileBytes"/> of it; <see langword="null"/> when the
    /// stream is longer than that.
    /// </summary>
    private async Task<FileStream?> SpoolAsync(Stream content, ReadStatistics stats, CancellationToken ct)
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var metered = new MeteredStream(content, options.MaxFileBytes, read => stats.Bytes += read, leaveOpen: true);
            await metered.CopyToAsync(file, ct).ConfigureAwait(false);
            if (metered.LimitReached)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static ReadItem Quarantine(string name, string locator, string reason, string detail) =>
        DocumentFinisher.Quarantine(name, locator, reason, detail);
}
