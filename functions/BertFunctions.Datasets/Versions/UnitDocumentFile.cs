using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Datasets;

/// <summary>One cleaned document as a unit's work file stores it (gzip JSON lines), with its dedup hash.</summary>
public sealed record UnitDocument(
    [property: JsonPropertyName("h")] string Hash,
    [property: JsonPropertyName("l")] string? Label,
    [property: JsonPropertyName("t")] string Text,
    [property: JsonPropertyName("s")] string Source,
    [property: JsonPropertyName("o")] string Locator);

/// <summary>Reads and writes a unit's documents: gzip-compressed JSON lines, one <see cref="UnitDocument"/> each.</summary>
public static class UnitDocumentFile
{
    /// <summary>Writes <paramref name="documents"/> to <paramref name="output"/> (gzip, one JSON line each).</summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<UnitDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        var newline = "\n"u8.ToArray();
        await foreach (var document in documents.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(gzip, document, cancellationToken: cancellationToken).ConfigureAwait(false);
            await gzip.WriteAsync(newline, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The (hash, label) of every document, in order, without materialising texts: deduplication needs nothing else,
    /// and parsing the whole corpus's text into strings once more cost consolidation most of its time. The writer puts
    /// "h" and "l" first, so each line is read only up to them.
    /// </summary>
    public static async Task<List<(string Hash, string? Label)>> ReadKeysAsync(Stream input, CancellationToken cancellationToken)
    {
        var keys = new List<(string Hash, string? Label)>();
        await using var gzip = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
        var buffer = new byte[1 << 20];
        int start = 0, end = 0;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                AddKey(buffer.AsSpan(start, newline), keys);
                start += newline + 1;
                continue;
            }

            // No full line buffered: keep the partial one, growing the buffer for a line longer than it.
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }
            else if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await gzip.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                AddKey(buffer.AsSpan(0, end), keys);
                return keys;
            }

            end += read;
        }
    }

    private static void AddKey(ReadOnlySpan<byte> line, List<(string Hash, string? Label)> keys)
    {
        if (line.IsEmpty)
        {
            return;
        }

        var reader = new Utf8JsonReader(line);
        string? hash = null, label = null;
        bool hasHash = false, hasLabel = false;
        reader.Read();
        while (!(hasHash && hasLabel) && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isHash = reader.ValueTextEquals("h"u8);
            var isLabel = reader.ValueTextEquals("l"u8);
            reader.Read();
            if (isHash)
            {
                (hash, hasHash) = (reader.GetString(), true);
            }
            else if (isLabel)
            {
                (label, hasLabel) = (reader.GetString(), true);
            }
            else
            {
                reader.Skip();
            }
        }

        keys.Add((hash ?? throw new InvalidDataException("a document line in a unit file has no hash"), label));
    }

    /// <summary>Reads the documents <see cref="WriteAsync"/> wrote, in order.</summary>
    public static async IAsyncEnumerable<UnitDocument> ReadAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var gzip = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<UnitDocument>(line) ?? throw new InvalidDataException("empty document line in a unit file");
            }
        }
    }
}
