using System.Runtime.CompilerServices;
using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>Plain text: the whole file as one document, or one document per blank-line-separated paragraph.</summary>
internal sealed class TextFormat(IngestionOptions options, DocumentFinisher finisher)
{
    public IAsyncEnumerable<ReadItem> ReadAsync(InputContext context, CancellationToken ct) =>
        options.TextMode == TextDocumentMode.BlankLineSeparated ? ReadParagraphsAsync(context, ct) : ReadWholeAsync(context, ct);

    private async IAsyncEnumerable<ReadItem> ReadWholeAsync(InputContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var (text, truncated) = await ReadAllTextAsync(context, finisher.MaxRawChars, ct).ConfigureAwait(false);
        yield return truncated
            ? DocumentFinisher.Quarantine(context.Name, "", QuarantineReasons.TooLong, $"more than {finisher.MaxRawChars:N0} characters before cleaning (limit {options.MaxDocumentChars:N0})")
            : finisher.Finish(context.Name, "", text, null, context.FolderLabel);
    }

    /// <summary>Decodes the input as text, stopping (and saying so) after <paramref name="maxChars"/> characters.</summary>
    public static async Task<(string Text, bool Truncated)> ReadAllTextAsync(InputContext context, long maxChars, CancellationToken ct)
    {
        await context.Data.ReadExactlyAsync(new byte[context.BomLength], ct).ConfigureAwait(false);
        using var reader = new StreamReader(context.Data, context.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[64 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > maxChars)
            {
                return ("", true);
            }
        }

        return (text.ToString(), false);
    }

    private async IAsyncEnumerable<ReadItem> ReadParagraphsAsync(InputContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var (reader, previousBlank) = await LineInput.OpenAsync(context, options.MaxLineBytes, ct).ConfigureAwait(false);
        var range = context.Range;
        var paragraph = new StringBuilder();
        Paragraph? current = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null || line.Value.Blank)
            {
                if (current is { } done)
                {
                    yield return Finish(context, done, paragraph);
                    current = null;
                }

                if (line is null)
                {
                    break;
                }

                previousBlank = true;
                continue;
            }

            var l = line.Value;
            if (previousBlank)
            {
                // A paragraph starts here; the range that holds its first byte owns it.
                previousBlank = false;
                if (range is { } r && l.Start >= r.End)
                {
                    break;
                }

                if (range is not { } owner || l.Start >= owner.Start)
                {
                    current = new Paragraph(range is null ? $"line {l.Number}" : $"byte {l.Start}");
                    paragraph.Clear();
                }
            }

            if (current is not { } open)
            {
                continue;
            }

            if (l.TooLong)
            {
                current = open with { TooLongLineStart = l.Start, TooLongBytes = l.Length };
            }
            else if (open.TooLongLineStart is null && paragraph.Length <= finisher.MaxRawChars)
            {
                var bytes = l.Start == 0 ? l.Bytes[context.BomLength..] : l.Bytes;
                paragraph.Append(Charsets.Decode(context.Charsets.Utf8, bytes.Span)).Append('\n');
            }
        }
    }

    private ReadItem Finish(InputContext context, Paragraph paragraph, StringBuilder text) =>
        paragraph.TooLongLineStart is { } offset
            ? DocumentFinisher.Quarantine(context.Name, paragraph.Locator, QuarantineReasons.LineTooLong, $"its line at byte {offset} has {paragraph.TooLongBytes:N0} bytes (limit {options.MaxLineBytes:N0})")
            : finisher.Finish(context.Name, paragraph.Locator, text.ToString(), null, context.FolderLabel);

    private sealed record Paragraph(string Locator, long? TooLongLineStart = null, long TooLongBytes = 0);
}
