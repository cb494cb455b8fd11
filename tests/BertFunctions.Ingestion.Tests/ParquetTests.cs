using Parquet;
using Parquet.Schema;

namespace BertFunctions.Ingestion.Tests;

public sealed class ParquetTests
{
    private static T[] Col<T>(params T[] values) => values;

    private static readonly DataField<string> Text = new("text", true);
    private static readonly DataField<string> Label = new("label", true);

    [Fact]
    public async Task Rows_of_every_row_group_become_documents_with_their_labels_and_extra_columns_are_ignored()
    {
        var schema = new ParquetSchema(new DataField<int>("id"), Text, Label, new DataField<double>("score"));
        var file = await ParquetFiles.WriteAsync(
            schema,
            [Col(1, 2), Col("first  one", "second"), Col("pos", "neg"), Col(0.5, 0.25)],
            [Col(3), Col("third\r\nline"), Col("pos"), Col(1.0)],
            [Col(4, 5), Col("fourth", "fifth"), Col("neg", "pos"), Col(0.0, 0.0)]);

        var result = await Reading.ReadAsync(new IngestionOptions(), "reviews.parquet", file);

        Assert.Equal(
            [
                new("first one", "pos", "reviews.parquet", "row 1"), new("second", "neg", "reviews.parquet", "row 2"),
                new("third\nline", "pos", "reviews.parquet", "row 3"), new("fourth", "neg", "reviews.parquet", "row 4"),
                new SourceDocument("fifth", "pos", "reviews.parquet", "row 5"),
            ],
            result.Documents);
        Assert.Empty(result.Quarantined);
        Assert.Equal(1, result.Stats.Files);
    }

    [Fact]
    public async Task Custom_column_names_match_as_csv_headers_do_ignoring_case()
    {
        var schema = new ParquetSchema(new DataField<string>("Body", true), new DataField<string>("Category", true));
        var file = await ParquetFiles.WriteAsync(schema, [Col("hello"), Col("greeting")]);

        var result = await Reading.ReadAsync(new IngestionOptions { TextField = "body", LabelField = "category" }, "x.parquet", file);

        Assert.Equal(new SourceDocument("hello", "greeting", "x.parquet", "row 1"), Assert.Single(result.Documents));
    }

    [Fact]
    public async Task A_null_text_is_a_malformed_row_and_an_empty_one_is_empty_after_cleaning()
    {
        var file = await ParquetFiles.TextAsync(["one", null], ["  ", "two"]);

        var result = await Reading.ReadAsync(new IngestionOptions(), "n.parquet", file);

        Assert.Equal(["one", "two"], result.Texts);
        Assert.Equal(["row 1", "row 4"], result.Documents.Select(d => d.Locator));
        Assert.Equal(
            [("row 2", QuarantineReasons.MalformedRow), ("row 3", QuarantineReasons.EmptyAfterCleaning)],
            result.Quarantined.Select(q => (q.Locator, q.Reason)));
        Assert.Contains("'text' is null", result.Quarantined[0].Detail, StringComparison.Ordinal);
        Assert.Equal(4, result.Stats.Records);
    }

    [Fact]
    public async Task A_file_without_the_text_column_is_quarantined_whole_naming_the_columns_it_has()
    {
        var schema = new ParquetSchema(new DataField<string>("body", true), Label);
        var file = await ParquetFiles.WriteAsync(schema, [Col("hello"), Col("a")]);

        var entry = (await Reading.ReadAsync(new IngestionOptions(), "x.parquet", file)).SingleQuarantine(QuarantineReasons.MalformedRow);

        Assert.Equal("", entry.Locator);
        Assert.Contains("no 'text' column", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("'body', 'label'", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_column_that_is_not_text_quarantines_the_file()
    {
        var schema = new ParquetSchema(new DataField<int>("text"));
        var file = await ParquetFiles.WriteAsync(schema, [Col(1, 2)]);

        var entry = (await Reading.ReadAsync(new IngestionOptions(), "x.parquet", file)).SingleQuarantine(QuarantineReasons.MalformedRow);

        Assert.Equal("", entry.Locator);
        Assert.Contains("int32", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labeled_data_without_a_label_column_is_missing_label_row_by_row_as_in_csv()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"]);
        var options = new IngestionOptions { Labeled = true };

        var parquet = await Reading.ReadAsync(options, "x.parquet", file);
        var csv = await Reading.ReadAsync(options, "x.csv", "text\none\ntwo\n");

        Assert.Empty(parquet.Documents);
        Assert.Equal(["row 1", "row 2"], parquet.Quarantined.Select(q => q.Locator));
        Assert.All(parquet.Quarantined, q => Assert.Equal(QuarantineReasons.MissingLabel, q.Reason));
        Assert.Equal(csv.Quarantined.Select(q => (q.Reason, q.Detail)), parquet.Quarantined.Select(q => (q.Reason, q.Detail)));
    }

    [Fact]
    public async Task Without_a_label_column_the_folder_gives_the_label()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"]);
        var options = new IngestionOptions { Labeled = true, LabelFromFolder = true };

        var result = await Reading.ReadAsync(options, "spam/part-0.parquet", file);

        Assert.Equal(["spam", "spam"], result.Documents.Select(d => d.Label));
    }

    [Fact]
    public async Task Integer_and_boolean_labels_are_read_by_their_invariant_string_form()
    {
        var ints = new ParquetSchema(Text, new DataField<int?>("label"));
        var intFile = await ParquetFiles.WriteAsync(ints, [Col("a", "b", "c"), Col<int?>(0, -12, null)]);
        var bools = new ParquetSchema(Text, new DataField<bool>("label"));
        var boolFile = await ParquetFiles.WriteAsync(bools, [Col("a", "b"), Col(true, false)]);
        var longs = new ParquetSchema(Text, new DataField<long>("label"));
        var longFile = await ParquetFiles.WriteAsync(longs, [Col("a"), Col(12_345_678_901L)]);
        var options = new IngestionOptions { Labeled = true };

        var intResult = await Reading.ReadAsync(options, "i.parquet", intFile);
        var boolResult = await Reading.ReadAsync(options, "b.parquet", boolFile);
        var longResult = await Reading.ReadAsync(options, "l.parquet", longFile);

        Assert.Equal(["0", "-12"], intResult.Documents.Select(d => d.Label));
        Assert.Equal("row 3", intResult.SingleQuarantine(QuarantineReasons.MissingLabel).Locator);
        Assert.Equal(["True", "False"], boolResult.Documents.Select(d => d.Label));
        Assert.Equal("12345678901", Assert.Single(longResult.Documents).Label);
    }

    [Fact]
    public async Task A_label_column_of_another_type_quarantines_the_file_with_the_reason()
    {
        var schema = new ParquetSchema(Text, new DataField<double>("label"));
        var file = await ParquetFiles.WriteAsync(schema, [Col("a"), Col(0.5)]);

        var entry = (await Reading.ReadAsync(new IngestionOptions(), "d.parquet", file)).SingleQuarantine(QuarantineReasons.MalformedRow);

        Assert.Equal("", entry.Locator);
        Assert.Contains("'label' column holds double values", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_text_is_decoded_as_utf8_counting_invalid_bytes()
    {
        var schema = new ParquetSchema(new DataField<byte[]>("text"));
        var file = await ParquetFiles.WriteAsync(schema, [(Array)Col<byte[]?>("héllo"u8.ToArray(), [0x41, 0xFF, 0x42])]);

        var result = await Reading.ReadAsync(new IngestionOptions(), "b.parquet", file);

        Assert.Equal(["héllo", "AB"], result.Texts);
        Assert.Equal(1, result.Stats.InvalidBytesReplaced);
    }

    [Fact]
    public async Task Over_long_texts_are_quarantined_as_in_csv_and_the_rest_is_read()
    {
        var file = await ParquetFiles.TextAsync(["short", new string('x', 2_000), new string('y', 600)], ["after"]);
        var options = new IngestionOptions { MaxLineBytes = 1_024, MaxDocumentChars = 500 };

        var result = await Reading.ReadAsync(options, "big.parquet", file);

        Assert.Equal(["short", "after"], result.Texts);
        Assert.Equal(
            [("row 2", QuarantineReasons.LineTooLong), ("row 3", QuarantineReasons.TooLong)],
            result.Quarantined.Select(q => (q.Locator, q.Reason)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(0.5)]
    public async Task A_truncated_file_is_a_malformed_document_not_an_exception(double keep)
    {
        var file = await ParquetFiles.TextAsync(["one", "two"], ["three"]);
        var cut = keep < 1 ? (int)(file.Length * keep) : file.Length - (int)keep;

        var result = await Reading.ReadAsync(new IngestionOptions(), "t.parquet", file[..cut]);

        var entry = result.SingleQuarantine(QuarantineReasons.MalformedDocument);
        Assert.Equal("", entry.Locator);
        Assert.StartsWith("not a readable Parquet file", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_named_parquet_is_a_malformed_document()
    {
        var result = await Reading.ReadAsync("notes.parquet", "text\nthis is a CSV file with the wrong name\n");
        Assert.Equal("", result.SingleQuarantine(QuarantineReasons.MalformedDocument).Locator);
    }

    [Fact]
    public async Task A_row_group_that_does_not_decode_is_quarantined_and_the_next_one_is_read()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"], ["three", "four"], ["five"]);
        long offset;
        await using (var reader = await ParquetReader.CreateAsync(new MemoryStream(file), cancellationToken: TestContext.Current.CancellationToken))
        {
            offset = reader.Metadata!.RowGroups[1].Columns[0].MetaData!.DataPageOffset;
        }

        // Overwrite the second row group's page header with bytes no Thrift reader accepts.
        file.AsSpan((int)offset, 8).Fill(0xFF);
        var result = await Reading.ReadAsync(new IngestionOptions(), "c.parquet", file);

        Assert.Equal(["one", "two", "five"], result.Texts);
        Assert.Equal(["row 1", "row 2", "row 5"], result.Documents.Select(d => d.Locator));
        var entry = result.SingleQuarantine(QuarantineReasons.MalformedDocument);
        Assert.Equal("row group 1 (rows 3-4)", entry.Locator);
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_is_read_the_same()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"], ["three"]);
        using var stream = new ForwardOnlyStream(new MemoryStream(file));

        var result = await Reading.ReadAsync(new IngestionOptions(), "s.parquet", stream);

        Assert.Equal(["one", "two", "three"], result.Texts);
        Assert.Equal(file.Length, result.Stats.Bytes);
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_stops_at_the_file_limit()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"], ["three"]);
        using var stream = new ForwardOnlyStream(new MemoryStream(file));

        var result = await Reading.ReadAsync(new IngestionOptions { MaxFileBytes = file.Length - 1 }, "s.parquet", stream);

        Assert.Equal("", result.SingleQuarantine(QuarantineReasons.FileTooLarge).Locator);
    }

    [Fact]
    public async Task Decompressed_columns_count_against_the_file_limit_like_gzip_and_the_rows_before_are_kept()
    {
        // Runs of one letter compress to almost nothing: a small file of large row groups. Every row differs, so no
        // dictionary encoding; each row group holds 1,000 rows of 1,000 characters.
        string[] Group(int g) => [.. Enumerable.Range(0, 1_000).Select(i => $"{g}-{i}".PadRight(1_000, 'a'))];
        var file = await ParquetFiles.TextAsync(Group(0), Group(1), Group(2));
        var options = new IngestionOptions { MaxFileBytes = 1_500_000 };
        Assert.True(file.Length < options.MaxFileBytes / 4, $"the file is {file.Length:N0} bytes");

        var result = await Reading.ReadAsync(options, "bomb.parquet", file);

        Assert.Equal(1_000, result.Documents.Count);
        Assert.Equal("row 1000", result.Documents[^1].Locator);
        var entry = result.SingleQuarantine(QuarantineReasons.FileTooLarge);
        Assert.Equal("", entry.Locator);
        Assert.Contains("row group 1", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_around_parquet_is_unsupported()
    {
        var file = await ParquetFiles.TextAsync(["one"]);
        var result = await Reading.ReadAsync(new IngestionOptions(), "x.parquet.gz", Reading.Gzip(file));
        result.SingleQuarantine(QuarantineReasons.UnsupportedFormat);
    }

    [Fact]
    public async Task An_explicit_format_reads_parquet_under_any_name()
    {
        var file = await ParquetFiles.TextAsync(["one"]);
        var result = await Reading.ReadAsync(new IngestionOptions { Format = InputFormat.Parquet }, "export.bin", file);
        Assert.Equal(["one"], result.Texts);
    }

    [Fact]
    public async Task An_empty_parquet_file_is_an_empty_file()
    {
        (await Reading.ReadAsync(new IngestionOptions(), "e.parquet", [])).SingleQuarantine(QuarantineReasons.EmptyFile);
    }

    [Fact]
    public async Task Only_the_range_that_holds_offset_0_reads_the_file_whole()
    {
        var file = await ParquetFiles.TextAsync(["one", "two"], ["three"]);

        var first = await Reading.ReadAsync(new IngestionOptions(), "r.parquet", file, new ByteRange(0, 10));
        var second = await Reading.ReadAsync(new IngestionOptions(), "r.parquet", file, new ByteRange(10, file.Length));

        Assert.Equal(["one", "two", "three"], first.Texts);
        Assert.Empty(second.Items);
    }
}
