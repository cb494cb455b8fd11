using System.Runtime.CompilerServices;
using CsvHelper;

namespace BertFunctions.Ingestion;

/// <summary>
/// CSV and TSV through CsvHelper: a header row names the columns; RFC 4180 quoting, so quoted fields may hold separators,
/// quotes (doubled) and line breaks. A record with bad quoting (CSV only) or the wrong number of fields is quarantined as
/// <see cref="QuarantineReasons.MalformedRow"/> and reading goes on. Rows are numbered as in a spreadsheet: the header
/// is row 1 and every record after it counts, malformed or not.
/// </summary>
internal sealed class DelimitedFormat(IngestionOptions options, DocumentFinisher finisher)
{
    public async IAsyncEnumerable<ReadItem> ReadAsync(InputContext context, char separator, [EnumeratorCancellation] CancellationToken ct)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var csvOptions = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            // TSV files often hold text with stray quotes that no one meant as quoting: keep them as text there.
            MalformedData = separator == '\t' ? CsvMalformedDataHandling.Recover : CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            OnMalformedRecord = record =>
            {
                if (record.Skipped)
                {
                    malformed.Enqueue(record);
                }
            },
            MaxRecordSize = options.MaxLineBytes,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
        };

        await context.Data.ReadExactlyAsync(new byte[context.BomLength], ct).ConfigureAwait(false);
        using var text = new StreamReader(context.Data, context.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        using var csv = CsvReader.Create(text, csvOptions, leaveOpen: true);

        var header = await ReadHeaderAsync(csv, ct).ConfigureAwait(false);
        if (header.Error is { } headerError)
        {
            yield return DocumentFinisher.Quarantine(context.Name, "row 1", QuarantineReasons.MalformedRow, headerError);
            yield break;
        }

        var row = 1L;
        while (true)
        {
            var (more, failure) = await NextAsync(csv, ct).ConfigureAwait(false);
            while (malformed.TryDequeue(out var bad))
            {
                row++;
                yield return DocumentFinisher.Quarantine(context.Name, $"row {row}", QuarantineReasons.MalformedRow, Describe(bad));
            }

            if (failure is not null)
            {
                row++;
                var reason = failure.Message.Contains("record size", StringComparison.OrdinalIgnoreCase) || failure.Message.Contains("MaxRecordSize", StringComparison.Ordinal)
                    ? QuarantineReasons.LineTooLong
                    : QuarantineReasons.MalformedRow;
                yield return DocumentFinisher.Quarantine(context.Name, $"row {row}", reason, $"{failure.Message} (reading stopped here: the rest of the file is not read)");
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            row++;
            var body = csv.GetString(header.TextIndex);
            var label = header.LabelIndex >= 0 ? csv.GetString(header.LabelIndex) : null;
            yield return finisher.Finish(context.Name, $"row {row}", body, label, context.FolderLabel);
        }
    }

    private async Task<(int TextIndex, int LabelIndex, string? Error)> ReadHeaderAsync(CsvReader csv, CancellationToken ct)
    {
        try
        {
            await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
        }
        catch (CsvFormatException e)
        {
            return (-1, -1, "header: " + e.Message);
        }

        if (!csv.TryGetFieldIndex(options.TextField, out var textIndex))
        {
            var columns = csv.Headers.Count == 0 ? "none" : string.Join(", ", csv.Headers.Select(h => $"'{h}'"));
            return (-1, -1, $"the header has no '{options.TextField}' column (columns: {columns})");
        }

        return (textIndex, csv.TryGetFieldIndex(options.LabelField, out var labelIndex) ? labelIndex : -1, null);
    }

    private static async Task<(bool More, CsvFormatException? Failure)> NextAsync(CsvReader csv, CancellationToken ct)
    {
        try
        {
            return (await csv.ReadAsync(ct).ConfigureAwait(false), null);
        }
        catch (CsvFormatException e)
        {
            return (false, e);
        }
    }

    private static string Describe(CsvMalformedRecord record)
    {
        var raw = record.RawRecord.Length > 80 ? record.RawRecord[..80] + "…" : record.RawRecord;
        return $"{record.Reason} at line {record.LineNumber}: {raw}";
    }
}
