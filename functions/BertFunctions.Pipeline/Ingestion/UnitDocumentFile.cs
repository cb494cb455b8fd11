using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Pipeline.Ingestion;

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
