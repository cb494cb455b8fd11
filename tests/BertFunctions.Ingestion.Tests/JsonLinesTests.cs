using System.Text;

namespace BertFunctions.Ingestion.Tests;

/// <summary>Runs alone: one test measures the bytes the whole process allocates while it reads.</summary>
[CollectionDefinition(nameof(MeasuresAllocations), DisableParallelization = true)]
public sealed class MeasuresAllocations;

[Collection(nameof(MeasuresAllocations))]
public sealed class JsonLinesTests
{
    [Fact]
    public async Task Each_line_is_a_document_with_its_label()
    {
        const string content = "{\"text\":\"first  one\",\"label\":\"pos\"}\r\n\r\n{\"text\":\"second\",\"label\":1}\n{\"label\":null,\"text\":\"third\\nline\",\"extra\":[1,2]}";
        var result = await Reading.ReadAsync("train.jsonl", content);

        Assert.Equal(
            [new("first one", "pos", "train.jsonl", "line 1"), new("second", "1", "train.jsonl", "line 3"), new SourceDocument("third\nline", null, "train.jsonl", "line 4")],
            result.Documents);
    }

    [Fact]
    public async Task Custom_fields_and_ndjson_extension()
    {
        var options = new IngestionOptions { TextField = "body", LabelField = "category" };
        var result = await Reading.ReadAsync(options, "x.ndjson", "{\"body\":\"hello\",\"category\":\"greeting\"}\n");
        Assert.Equal(new SourceDocument("hello", "greeting", "x.ndjson", "line 1"), Assert.Single(result.Documents));
    }

    [Fact]
    public async Task Malformed_lines_are_quarantined_with_their_line_numbers_and_the_rest_is_read()
    {
        const string content = """
            {"text":"ok 1"}
            {"text": broken
            [1,2,3]
            {"label":"x"}
            {"text":42}
            {"text":"bad label","label":true}
            {"text":"ok 2","label":7}
            """;
        var result = await Reading.ReadAsync("mixed.jsonl", content);

        Assert.Equal(["ok 1", "ok 2"], result.Texts);
        Assert.Equal(["line 2", "line 3", "line 4", "line 5", "line 6"], result.Quarantined.Select(q => q.Locator));
        Assert.All(result.Quarantined, q => Assert.Equal(QuarantineReasons.MalformedRow, q.Reason));
        Assert.Equal(7, result.Stats.Records);
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_string_is_replaced_and_counted()
    {
        byte[] content = [.. "{\"text\":\"caf"u8, 0xE9, .. " au lait\"}\n"u8];
        var result = await Reading.ReadAsync(new IngestionOptions(), "latin.jsonl", content);
        Assert.Equal(["caf au lait"], result.Texts);
        Assert.Equal(1, result.Stats.InvalidBytesReplaced);
    }

    [Fact]
    public async Task Labeled_jsonl_quarantines_rows_without_a_label()
    {
        var options = new IngestionOptions { Labeled = true };
        var result = await Reading.ReadAsync(options, "l.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"}\n{\"text\":\"c\",\"label\":\"  \"}\n");
        Assert.Equal(["a"], result.Texts);
        Assert.Equal([QuarantineReasons.MissingLabel, QuarantineReasons.MissingLabel], result.Quarantined.Select(q => q.Reason));
    }

    [Fact]
    public async Task A_100_MB_line_is_quarantined_without_buffering_it_and_the_next_lines_are_read()
    {
        const long hugeBytes = 100L * 1024 * 1024;
        var prefix = Encoding.UTF8.GetBytes("{\"text\":\"before\"}\n{\"text\":\"");
        var suffix = Encoding.UTF8.GetBytes("\"}\r\n{\"text\":\"after\"}\n{\"text\":\"last\"}");
        var stream = new GeneratedStream(prefix, hugeBytes, (byte)'a', suffix);
        // Every thread's allocations (the read's continuations may resume on any pool thread, so a per-thread count
        // measured the wrong threads); the class runs alone, so nothing else allocates meanwhile.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var result = await Reading.ReadAsync(new IngestionOptions(), "huge.jsonl", stream);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(["before", "after", "last"], result.Texts);
        var entry = result.SingleQuarantine(QuarantineReasons.LineTooLong);
        Assert.Equal("line 2", entry.Locator);
        Assert.Contains((hugeBytes + 11).ToString("N0", System.Globalization.CultureInfo.InvariantCulture), entry.Detail, StringComparison.Ordinal);
        Assert.Equal(stream.Total, result.Stats.Bytes);
        // The line limit (4 MiB) bounds the buffer; allow for its doublings on the way up.
        Assert.True(allocated < 20L * 1024 * 1024, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public async Task A_long_last_line_without_newline_is_quarantined_too()
    {
        var options = new IngestionOptions { MaxLineBytes = 16 };
        var result = await Reading.ReadAsync(options, "t.jsonl", "{\"text\":\"ok\"}\n{\"text\":\"far too long for the limit\"}");
        Assert.Equal(["ok"], result.Texts);
        Assert.Equal("line 2", result.SingleQuarantine(QuarantineReasons.LineTooLong).Locator);
    }
}
