namespace BertFunctions.Ingestion.Tests;

/// <summary>The one rule for which inputs may be read as byte ranges, asked by name (planning) and by content (reading).</summary>
public sealed class ByteRangeSplittingTests
{
    private static readonly IngestionOptions Paragraphs = new() { TextMode = TextDocumentMode.BlankLineSeparated };
    private static readonly IngestionOptions WholeFiles = new() { TextMode = TextDocumentMode.FilePerDocument };

    [Theory]
    [InlineData("a/rows.jsonl", true)]
    [InlineData("a/rows.NDJSON", true)]
    [InlineData("a/rows.jsonl.gz", false)]
    [InlineData("a/book.txt", true)]
    [InlineData("a/book.txt.gz", false)]
    [InlineData("a/table.csv", false)]
    [InlineData("a/table.tsv", false)]
    [InlineData("a/mail.eml", false)]
    [InlineData("a/train-00000-of-00004.parquet", false)]
    [InlineData("a/notes.md", false)]
    [InlineData("a/README", false)]
    public void With_auto_format_the_extension_promises_a_line_based_file(string name, bool expected) =>
        Assert.Equal(expected, ByteRangeSplitting.ByName(name, Paragraphs));

    [Fact]
    public void Text_is_split_only_when_documents_are_blank_line_separated()
    {
        Assert.True(ByteRangeSplitting.ByName("book.txt", Paragraphs));
        Assert.False(ByteRangeSplitting.ByName("book.txt", WholeFiles));
        Assert.True(ByteRangeSplitting.ByName("book.dat", Paragraphs with { Format = InputFormat.Text }));
        Assert.False(ByteRangeSplitting.ByName("book.dat", WholeFiles with { Format = InputFormat.Text }));
    }

    [Fact]
    public void A_declared_format_overrides_the_extension_but_gzip_never_splits()
    {
        Assert.True(ByteRangeSplitting.ByName("export.log", new IngestionOptions { Format = InputFormat.JsonLines }));
        Assert.False(ByteRangeSplitting.ByName("export.log.gz", new IngestionOptions { Format = InputFormat.JsonLines }));
        Assert.False(ByteRangeSplitting.ByName("rows.jsonl", new IngestionOptions { Format = InputFormat.Csv }));
        Assert.False(ByteRangeSplitting.ByName("rows.jsonl", Paragraphs with { Format = InputFormat.Parquet }));
    }

    [Theory]
    [InlineData(InputFormat.JsonLines, false, false, true)]
    [InlineData(InputFormat.JsonLines, true, false, false)]
    [InlineData(InputFormat.JsonLines, false, true, false)]
    [InlineData(InputFormat.Text, false, false, true)]
    [InlineData(InputFormat.Email, false, false, false)]
    [InlineData(InputFormat.Csv, false, false, false)]
    [InlineData(InputFormat.Tsv, false, false, false)]
    [InlineData(InputFormat.Parquet, false, false, false)]
    public void Content_that_is_compressed_or_transcoded_is_read_whole(InputFormat format, bool compressed, bool transcoded, bool expected) =>
        Assert.Equal(expected, ByteRangeSplitting.ByContent(format, compressed, transcoded, Paragraphs));

    [Fact]
    public void Whole_file_text_is_not_split_even_when_its_content_is_plain()
    {
        Assert.False(ByteRangeSplitting.ByContent(InputFormat.Text, compressed: false, transcoded: false, WholeFiles));
        Assert.False(ByteRangeSplitting.ByContent(null, compressed: false, transcoded: false, Paragraphs));
    }
}
