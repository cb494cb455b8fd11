using System.Text;
using System.Text.Json;
using BertFunctions.Corpora;

namespace BertFunctions.Ingestion.Tests;

/// <summary>Splitting a file into byte ranges read independently gives exactly the records of the whole-file read.</summary>
public sealed class ByteRangeTests
{
    private static readonly Lazy<byte[]> BrownJsonLines = new(MakeBrownJsonLines);
    private static readonly Lazy<byte[]> BrownParagraphs = new(MakeBrownParagraphs);

    [Fact]
    public async Task A_multi_megabyte_jsonl_file_split_at_arbitrary_offsets_reads_exactly_as_a_whole()
    {
        var content = BrownJsonLines.Value;
        Assert.True(content.Length > 4_000_000, $"{content.Length:N0} bytes");
        var options = new IngestionOptions();

        var whole = await Reading.ReadAsync(options, "brown.jsonl", content, new ByteRange(0, content.Length));
        var unranged = await Reading.ReadAsync(options, "brown.jsonl", content);
        Assert.True(whole.Documents.Count > 50_000, $"{whole.Documents.Count} documents");
        Assert.Equal(2, whole.Quarantined.Count);
        // Ranged reads name records by byte offset, unranged ones by line number; the records are the same.
        Assert.Equal(unranged.Items.Select(Strip), whole.Items.Select(Strip));

        foreach (var ranges in Splits(content))
        {
            var union = new List<ReadItem>();
            foreach (var range in ranges)
            {
                union.AddRange((await Reading.ReadAsync(options, "brown.jsonl", content, range)).Items);
            }

            Assert.Equal(whole.Items, union);
        }
    }

    [Fact]
    public async Task Blank_line_separated_text_split_at_arbitrary_offsets_reads_exactly_as_a_whole()
    {
        var content = BrownParagraphs.Value;
        var options = new IngestionOptions { TextMode = TextDocumentMode.BlankLineSeparated };

        var whole = await Reading.ReadAsync(options, "brown.txt", content, new ByteRange(0, content.Length));
        Assert.Equal(500, whole.Documents.Count);

        foreach (var ranges in Splits(content))
        {
            var union = new List<ReadItem>();
            foreach (var range in ranges)
            {
                union.AddRange((await Reading.ReadAsync(options, "brown.txt", content, range)).Items);
            }

            Assert.Equal(whole.Items, union);
        }
    }

    [Fact]
    public async Task Ranges_over_a_stream_that_cannot_seek_read_forward_to_the_same_records()
    {
        var content = Encoding.UTF8.GetBytes("{\"text\":\"a\"}\n\n{\"text\":\"b\"}\r\n{\"text\":\"c\"}\n{bad\n{\"text\":\"d\"}");
        var options = new IngestionOptions();
        var whole = await Reading.ReadAsync(options, "s.jsonl", content, new ByteRange(0, content.Length));
        for (var cut = 0; cut <= content.Length; cut++)
        {
            var first = await Reading.ReadAsync(options, "s.jsonl", new ForwardOnlyStream(new MemoryStream(content)), new ByteRange(0, cut));
            var second = await Reading.ReadAsync(options, "s.jsonl", new ForwardOnlyStream(new MemoryStream(content)), new ByteRange(cut, content.Length));
            Assert.Equal(whole.Items, first.Items.Concat(second.Items));
        }
    }

    [Fact]
    public async Task Every_two_way_split_of_a_small_file_with_a_bom_and_crlf_is_exact()
    {
        var content = Encoding.UTF8.GetBytes("\uFEFF{\"text\":\"first\"}\r\n{\"text\":\"second\"}\r\n\r\n{\"text\":\"third\"}\r\n");
        var paragraphs = Encoding.UTF8.GetBytes("\uFEFFp one\r\nstill one\r\n \r\n\r\np two\n\t\np three\n");
        foreach (var (name, bytes, options) in new[]
        {
            ("a.jsonl", content, new IngestionOptions()),
            ("p.txt", paragraphs, new IngestionOptions { TextMode = TextDocumentMode.BlankLineSeparated }),
        })
        {
            var whole = await Reading.ReadAsync(options, name, bytes, new ByteRange(0, bytes.Length));
            Assert.Equal(3, whole.Documents.Count);
            for (var cut = 0; cut <= bytes.Length; cut++)
            {
                var first = await Reading.ReadAsync(options, name, bytes, new ByteRange(0, cut));
                var second = await Reading.ReadAsync(options, name, bytes, new ByteRange(cut, bytes.Length));
                Assert.Equal(whole.Items, first.Items.Concat(second.Items));
            }
        }
    }

    [Fact]
    public async Task Files_that_cannot_be_split_are_read_whole_by_the_range_at_offset_0()
    {
        var csv = Encoding.UTF8.GetBytes("text\n\"a\nb\"\nc\n");
        Assert.Equal(["a\nb", "c"], (await Reading.ReadAsync(new IngestionOptions(), "x.csv", csv, new ByteRange(0, 3))).Texts);
        Assert.Empty((await Reading.ReadAsync(new IngestionOptions(), "x.csv", csv, new ByteRange(3, csv.Length))).Items);

        var gzip = Reading.Gzip("{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
        Assert.Equal(["a", "b"], (await Reading.ReadAsync(new IngestionOptions(), "x.jsonl.gz", gzip, new ByteRange(0, 5))).Texts);
        Assert.Empty((await Reading.ReadAsync(new IngestionOptions(), "x.jsonl.gz", gzip, new ByteRange(5, gzip.Length))).Items);
    }

    [Fact]
    public async Task The_size_limit_applies_to_the_range_so_large_files_can_be_split()
    {
        var content = BrownJsonLines.Value;
        var options = new IngestionOptions { MaxFileBytes = 1_000_000 };
        (await Reading.ReadAsync(options, "brown.jsonl", content)).SingleQuarantine(QuarantineReasons.FileTooLarge);
        var part = await Reading.ReadAsync(options, "brown.jsonl", content, new ByteRange(2_000_000, 2_900_000));
        Assert.NotEmpty(part.Documents);
        Assert.All(part.Documents, d => Assert.StartsWith("byte ", d.Locator, StringComparison.Ordinal));
    }

    private static (string, string?, string, string, string) Strip(ReadItem item) => item switch
    {
        ReadItem.Document d => ("document", d.Value.Label, d.Value.Text, d.Value.Source, ""),
        ReadItem.Quarantined q => ("quarantined", null, q.Value.Reason, q.Value.Source, ""),
        _ => throw new InvalidOperationException(),
    };

    private static IEnumerable<IReadOnlyList<ByteRange>> Splits(byte[] content)
    {
        var random = new Random(1234);
        yield return ByteRange.Split(content.Length, 1_000_000);
        yield return ByteRange.Split(content.Length, 333_333);

        // Cuts at random offsets, and at and around line starts (the edge cases of the convention).
        var cuts = new SortedSet<long>(Enumerable.Range(0, 25).Select(_ => (long)random.Next(1, content.Length)));
        for (var i = 0; i < 6; i++)
        {
            var newline = Array.IndexOf(content, (byte)'\n', random.Next(1, content.Length - 1000));
            cuts.UnionWith([newline, newline + 1, newline + 2]);
        }

        var points = cuts.Prepend(0).Append(content.Length).Distinct().Order().ToList();
        yield return [.. points.Zip(points.Skip(1), (start, end) => new ByteRange(start, end))];
    }

    private static byte[] MakeBrownJsonLines()
    {
        var text = new StringBuilder();
        var documents = BrownCorpus.ReadAll(CorpusLocator.Brown());
        for (var d = 0; d < documents.Count; d++)
        {
            var lines = documents[d].Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines)
            {
                text.Append(JsonSerializer.Serialize(new { text = line, label = documents[d].Name[1..2] })).Append(d % 2 == 0 ? "\n" : "\r\n");
            }

            // Some bad and blank lines along the way, which must be quarantined by exactly one range.
            if (d % 200 == 100)
            {
                text.Append("{\"text\": not json}\n\n  \n");
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] MakeBrownParagraphs()
    {
        var text = new StringBuilder();
        foreach (var document in BrownCorpus.ReadAll(CorpusLocator.Brown()))
        {
            text.Append(document.Text.Trim()).Append(document.Name.EndsWith('1') ? "\n \t \n\n" : "\n\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
