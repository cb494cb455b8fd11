using System.Text;

namespace BertFunctions.Ingestion.Tests;

public sealed class BadInputTests
{
    private static readonly byte[] Png =
        Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Theory]
    [InlineData("empty.txt")]
    [InlineData("empty.jsonl")]
    [InlineData("empty.csv")]
    [InlineData("empty.eml")]
    public async Task A_zero_byte_file_is_empty_file(string name)
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), name, []);
        result.SingleQuarantine(QuarantineReasons.EmptyFile);
        Assert.Equal(1, result.Stats.Records);
    }

    [Fact]
    public async Task A_zero_byte_stream_of_unknown_length_is_empty_file()
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), "x.txt", new ForwardOnlyStream(new MemoryStream()));
        result.SingleQuarantine(QuarantineReasons.EmptyFile);
    }

    [Fact]
    public async Task A_png_is_a_binary_file_even_named_txt()
    {
        var entry = (await Reading.ReadAsync(new IngestionOptions(), "image.txt", Png)).SingleQuarantine(QuarantineReasons.BinaryFile);
        Assert.Contains("NUL", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_bytes_are_a_binary_file()
    {
        var bytes = new byte[20_000];
        new Random(42).NextBytes(bytes);
        bytes.AsSpan().Replace((byte)0, (byte)1);
        (await Reading.ReadAsync(new IngestionOptions(), "noise.jsonl", bytes)).SingleQuarantine(QuarantineReasons.BinaryFile);
    }

    [Fact]
    public async Task Known_binary_formats_are_unsupported()
    {
        (await Reading.ReadAsync(new IngestionOptions(), "paper.pdf", "%PDF-1.4 ...")).SingleQuarantine(QuarantineReasons.UnsupportedFormat);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_not_read()
    {
        var options = new IngestionOptions { MaxFileBytes = 10 };
        var result = await Reading.ReadAsync(options, "big.txt", "more than ten bytes");
        result.SingleQuarantine(QuarantineReasons.FileTooLarge);
        Assert.Equal(0, result.Stats.Bytes);
    }

    [Fact]
    public async Task A_stream_of_unknown_length_stops_at_the_limit_keeping_what_came_before()
    {
        var options = new IngestionOptions { MaxFileBytes = 40 };
        var content = new MemoryStream(Encoding.UTF8.GetBytes("{\"text\":\"one\"}\n{\"text\":\"two\"}\n{\"text\":\"three\"}\n{\"text\":\"four\"}\n"));
        var result = await Reading.ReadAsync(options, "s.jsonl", new ForwardOnlyStream(content));

        Assert.Equal(["one", "two"], result.Texts);
        Assert.Equal(QuarantineReasons.FileTooLarge, result.Quarantined[^1].Reason);
        Assert.True(result.Stats.Bytes <= 41);
    }

    [Fact]
    public async Task A_decompression_bomb_stops_at_the_limit()
    {
        var options = new IngestionOptions { MaxFileBytes = 64 * 1024 };
        var bomb = Reading.Gzip(new string('a', 1_000_000));
        var result = await Reading.ReadAsync(options, "bomb.txt.gz", bomb);
        Assert.Equal(QuarantineReasons.FileTooLarge, result.Quarantined[^1].Reason);
        Assert.Contains("decompression", result.Quarantined[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_named_gz_is_a_corrupt_archive()
    {
        (await Reading.ReadAsync(new IngestionOptions(), "x.jsonl.gz", Encoding.UTF8.GetBytes("this is not gzip at all"))).SingleQuarantine(QuarantineReasons.CorruptArchive);
    }

    [Fact]
    public async Task A_gzip_corrupted_midway_keeps_what_came_before_and_says_so()
    {
        var lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"text\":\"line {i} {Guid.NewGuid()}\"}}\n"));
        var gzip = Reading.Gzip(lines);
        // Damage the deflate data well after the start.
        for (var i = gzip.Length / 2; i < gzip.Length / 2 + 64; i++)
        {
            gzip[i] ^= 0x5A;
        }

        var result = await Reading.ReadAsync(new IngestionOptions(), "c.jsonl.gz", gzip);
        Assert.Equal(QuarantineReasons.CorruptArchive, result.Quarantined[^1].Reason);
        Assert.InRange(result.Documents.Count, 1, 4999);
    }

    [Fact]
    public async Task A_truncated_gzip_is_a_corrupt_archive()
    {
        var gzip = Reading.Gzip(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{{\"text\":\"line {i} {Guid.NewGuid()}\"}}\n")));
        var result = await Reading.ReadAsync(new IngestionOptions(), "t.jsonl.gz", gzip[..(gzip.Length / 2)]);
        Assert.Equal(QuarantineReasons.CorruptArchive, result.Quarantined[^1].Reason);
    }

    [Fact]
    public async Task A_gzipped_empty_file_is_empty()
    {
        (await Reading.ReadAsync(new IngestionOptions(), "e.txt.gz", Reading.Gzip(""))).SingleQuarantine(QuarantineReasons.EmptyFile);
    }

    [Theory]
    [InlineData("a.txt.gz", "hello  world\r\n", "hello world")]
    [InlineData("a.jsonl.gz", "{\"text\":\"from jsonl\"}\n", "from jsonl")]
    [InlineData("a.ndjson.gz", "{\"text\":\"from ndjson\"}", "from ndjson")]
    [InlineData("a.csv.gz", "text\n\"from, csv\"\n", "from, csv")]
    [InlineData("a.tsv.gz", "label\ttext\nx\tfrom tsv\n", "from tsv")]
    [InlineData("a.eml.gz", "Subject: s\n\nfrom eml\n", "s\n\nfrom eml")]
    [InlineData("00001.abc.txt.gz", "Return-Path: <a@b>\nSubject: sniffed\n\nfrom sniffed mail\n", "sniffed\n\nfrom sniffed mail")]
    public async Task Gzip_of_each_format_is_read_by_its_inner_name(string name, string content, string expected)
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), name, Reading.Gzip(content));
        var document = Assert.Single(result.Documents);
        Assert.Equal(expected, document.Text);
        Assert.Equal(name, document.Source);
    }

    [Fact]
    public async Task An_explicit_format_overrides_the_extension()
    {
        var result = await Reading.ReadAsync(new IngestionOptions { Format = InputFormat.JsonLines }, "dump.data", "{\"text\":\"x\"}\n");
        Assert.Equal(["x"], result.Texts);
    }

    [Fact]
    public async Task Nothing_is_dropped_silently_records_seen_equal_documents_plus_quarantined()
    {
        const string content = """
            {"text":"one","label":"a"}
            not json
            {"text":"","label":"a"}
            {"text":"two","label":"zzz"}
            {"text":"three"}
            {"text":"four","label":"b"}
            """;
        var options = new IngestionOptions { Labeled = true, AllowedLabels = ["a", "b"] };
        var result = await Reading.ReadAsync(options, "all.jsonl", content);

        Assert.Equal(6, result.Items.Count);
        Assert.Equal(result.Items.Count, result.Stats.Documents + result.Stats.Quarantined);
        Assert.Equal(
            [QuarantineReasons.MalformedRow, QuarantineReasons.EmptyAfterCleaning, QuarantineReasons.UnknownLabel, QuarantineReasons.MissingLabel],
            result.Quarantined.Select(q => q.Reason));
        Assert.Equal(1, result.Stats.QuarantinedByReason[QuarantineReasons.UnknownLabel]);
        Assert.Equal(["one", "four"], result.Texts);
    }

    [Fact]
    public async Task Cancellation_is_the_one_thing_that_throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var reader = new DocumentReader(new IngestionOptions());
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("{\"text\":\"x\"}\n"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in reader.ReadAsync("a.jsonl", stream, new ReadStatistics(), ct: cts.Token))
            {
            }
        });
    }
}
