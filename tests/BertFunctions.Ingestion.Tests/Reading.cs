using System.IO.Compression;
using System.Text;

namespace BertFunctions.Ingestion.Tests;

/// <summary>Helpers: read an input and split what comes out.</summary>
internal static class Reading
{
    public static async Task<ReadResult> ReadAsync(IngestionOptions options, string name, byte[] content, ByteRange? range = null)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await ReadAsync(options, name, stream, range);
    }

    public static Task<ReadResult> ReadAsync(IngestionOptions options, string name, string content) =>
        ReadAsync(options, name, Encoding.UTF8.GetBytes(content));

    public static Task<ReadResult> ReadAsync(string name, string content) => ReadAsync(new IngestionOptions(), name, content);

    public static async Task<ReadResult> ReadAsync(IngestionOptions options, string name, Stream stream, ByteRange? range = null)
    {
        var reader = new DocumentReader(options);
        var stats = new ReadStatistics();
        var items = new List<ReadItem>();
        await foreach (var item in reader.ReadAsync(name, stream, stats, range, TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return new ReadResult(items, stats);
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gzip(string content) => Gzip(Encoding.UTF8.GetBytes(content));
}

/// <summary>What one read yielded.</summary>
internal sealed record ReadResult(IReadOnlyList<ReadItem> Items, ReadStatistics Stats)
{
    public IReadOnlyList<SourceDocument> Documents => [.. Items.OfType<ReadItem.Document>().Select(d => d.Value)];

    public IReadOnlyList<QuarantineEntry> Quarantined => [.. Items.OfType<ReadItem.Quarantined>().Select(q => q.Value)];

    public IReadOnlyList<string> Texts => [.. Documents.Select(d => d.Text)];

    public QuarantineEntry SingleQuarantine(string reason)
    {
        var entry = Assert.Single(Quarantined);
        Assert.Equal(reason, entry.Reason);
        return entry;
    }
}
