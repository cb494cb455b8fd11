using System.Text;
using System.Text.Json;

namespace BertFunctions.Cli.Io;

/// <summary>
/// Reads JSON lines of <see cref="TextRecord"/> from a byte stream. Lines are split on bytes and each is
/// decoded as strict UTF-8, so an error names the exact line: invalid UTF-8, invalid JSON, a missing or
/// non-string <c>text</c>, or a line over the size limit. Empty lines are skipped.
/// </summary>
public sealed class JsonLinesReader(Stream input, int maxLineBytes = JsonLinesReader.DefaultMaxLineBytes)
{
    /// <summary>16 MiB: far above any text a BERT reads, low enough that one line cannot exhaust memory.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async IAsyncEnumerable<TextRecord> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        long lineNumber = 1;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                Append(line, buffer.AsSpan(start, i - start), lineNumber);
                if (Parse(line, lineNumber) is { } record)
                {
                    yield return record;
                }

                line.SetLength(0);
                lineNumber++;
                start = i + 1;
            }

            Append(line, buffer.AsSpan(start, read - start), lineNumber);
        }

        if (line.Length > 0 && Parse(line, lineNumber) is { } last)
        {
            yield return last;
        }
    }

    private void Append(MemoryStream line, ReadOnlySpan<byte> bytes, long lineNumber)
    {
        if (line.Length + bytes.Length > maxLineBytes)
        {
            throw new CliException($"line {lineNumber}: longer than {maxLineBytes} bytes");
        }

        line.Write(bytes);
    }

    private static TextRecord? Parse(MemoryStream line, long lineNumber)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (bytes.Length == 0 || bytes.Trim(" \t"u8).Length == 0)
        {
            return null;
        }

        if (lineNumber == 1 && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        try
        {
            // Decode strictly first: System.Text.Json would replace invalid bytes silently inside strings.
            _ = StrictUtf8.GetCharCount(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CliException($"line {lineNumber}: not valid UTF-8");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CliException($"line {lineNumber}: expected a JSON object like {{\"text\": \"...\"}}, got {Describe(root.ValueKind)}");
            }

            var text = RequiredString(root, "text", lineNumber);
            var pair = root.TryGetProperty("text_pair", out var p) && p.ValueKind != JsonValueKind.Null
                ? StringValue(p, "text_pair", lineNumber)
                : null;
            return new TextRecord(lineNumber, text, pair);
        }
        catch (JsonException e)
        {
            throw new CliException($"line {lineNumber}: not valid JSON ({FirstSentence(e.Message)})");
        }
    }

    private static string RequiredString(JsonElement root, string name, long lineNumber) =>
        root.TryGetProperty(name, out var value)
            ? StringValue(value, name, lineNumber)
            : throw new CliException($"line {lineNumber}: missing field \"{name}\"");

    private static string StringValue(JsonElement value, string name, long lineNumber) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new CliException($"line {lineNumber}: field \"{name}\" must be a string, got {Describe(value.ValueKind)}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message.TrimEnd('.')).Replace('\n', ' ');
    }
}
