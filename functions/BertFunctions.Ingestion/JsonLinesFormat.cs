using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace BertFunctions.Ingestion;

/// <summary>JSON Lines: one object per line, the text in <see cref="IngestionOptions.TextField"/>; blank lines are skipped.</summary>
internal sealed class JsonLinesFormat(IngestionOptions options, DocumentFinisher finisher)
{
    public async IAsyncEnumerable<ReadItem> ReadAsync(InputContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var (reader, _) = await LineInput.OpenAsync(context, options.MaxLineBytes, ct).ConfigureAwait(false);
        var range = context.Range;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (range is { } r && line.Start >= r.End)
            {
                break;
            }

            if ((range is { } owned && line.Start < owned.Start) || line.Blank)
            {
                continue;
            }

            var locator = range is null ? $"line {line.Number}" : $"byte {line.Start}";
            if (line.TooLong)
            {
                yield return DocumentFinisher.Quarantine(context.Name, locator, QuarantineReasons.LineTooLong, $"{line.Length:N0} bytes (limit {options.MaxLineBytes:N0})");
                continue;
            }

            var bytes = line.Start == 0 ? line.Bytes[context.BomLength..] : line.Bytes;
            yield return Parse(context, locator, bytes);
        }
    }

    private ReadItem Parse(InputContext context, string locator, ReadOnlyMemory<byte> bytes)
    {
        // System.Text.Json rejects invalid UTF-8; replace (and count) it first, as for every other format.
        byte[]? repaired = null;
        if (!Charsets.IsValidUtf8(bytes.Span))
        {
            repaired = Encoding.UTF8.GetBytes(Charsets.Decode(context.Charsets.Utf8, bytes.Span));
        }

        string text;
        string? label;
        try
        {
            using var document = JsonDocument.Parse(repaired ?? bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed($"a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }

            if (!root.TryGetProperty(options.TextField, out var textElement) || textElement.ValueKind != JsonValueKind.String)
            {
                return Malformed(textElement.ValueKind == JsonValueKind.Undefined
                    ? $"no '{options.TextField}' property"
                    : $"'{options.TextField}' is a {textElement.ValueKind.ToString().ToLowerInvariant()}, not a string");
            }

            text = textElement.GetString()!;
            if (!TryLabel(root, out label, out var problem))
            {
                return Malformed(problem);
            }
        }
        catch (JsonException e)
        {
            return Malformed("invalid JSON: " + e.Message);
        }

        return finisher.Finish(context.Name, locator, text, label, context.FolderLabel);

        ReadItem Malformed(string detail) => DocumentFinisher.Quarantine(context.Name, locator, QuarantineReasons.MalformedRow, detail);
    }

    private bool TryLabel(JsonElement root, out string? label, out string problem)
    {
        label = null;
        problem = "";
        if (!root.TryGetProperty(options.LabelField, out var element))
        {
            return true;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                label = element.GetString();
                return true;
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                label = number.ToString(CultureInfo.InvariantCulture);
                return true;
            default:
                problem = $"'{options.LabelField}' must be a string or an integer, not {element.GetRawText()}";
                return false;
        }
    }
}
