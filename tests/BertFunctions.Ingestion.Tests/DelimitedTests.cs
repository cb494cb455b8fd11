namespace BertFunctions.Ingestion.Tests;

public sealed class DelimitedTests
{
    [Fact]
    public async Task Csv_rows_become_documents_with_quoted_commas_quotes_and_newlines()
    {
        const string content = "id,text,label\r\n1,plain text,pos\r\n2,\"with, comma and \"\"quotes\"\"\",neg\r\n3,\"two\r\nlines\",pos\r\n";
        var result = await Reading.ReadAsync("reviews.csv", content);

        Assert.Equal(
            [new("plain text", "pos", "reviews.csv", "row 2"), new("with, comma and \"quotes\"", "neg", "reviews.csv", "row 3"), new SourceDocument("two\nlines", "pos", "reviews.csv", "row 4")],
            result.Documents);
    }

    [Fact]
    public async Task Csv_with_bom_and_a_header_in_another_case()
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), "b.csv", [0xEF, 0xBB, 0xBF, .. "Text,Label\nhello,1\n"u8]);
        Assert.Equal(new SourceDocument("hello", "1", "b.csv", "row 2"), Assert.Single(result.Documents));
    }

    [Fact]
    public async Task Tsv_rows_with_stray_quotes_and_quoted_newlines()
    {
        const string content = "text\tlabel\nHe said \"hi\" twice\tham\n\"multi\nline\tfield\"\tspam\n";
        var result = await Reading.ReadAsync("data.tsv", content);

        Assert.Equal(["He said \"hi\" twice", "multi\nline field"], result.Texts);
        Assert.Equal(["ham", "spam"], result.Documents.Select(d => d.Label));
    }

    [Fact]
    public async Task Malformed_rows_are_quarantined_with_their_row_numbers_and_the_rest_is_read()
    {
        const string content = "text,label\nok one,a\ntoo,many,fields\nbad \"quote\" here,b\nok two,c\n";
        var result = await Reading.ReadAsync("m.csv", content);

        Assert.Equal(["ok one", "ok two"], result.Texts);
        Assert.Equal(["row 3", "row 4"], result.Quarantined.Select(q => q.Locator));
        Assert.All(result.Quarantined, q => Assert.Equal(QuarantineReasons.MalformedRow, q.Reason));
        Assert.Equal(["row 2", "row 5"], result.Documents.Select(d => d.Locator));
        Assert.Equal(4, result.Stats.Records);
    }

    [Fact]
    public async Task A_header_without_the_text_column_quarantines_the_file()
    {
        var entry = (await Reading.ReadAsync("x.csv", "body,label\nhello,a\n")).SingleQuarantine(QuarantineReasons.MalformedRow);
        Assert.Equal("row 1", entry.Locator);
        Assert.Contains("'body'", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_text_cells_are_quarantined()
    {
        var result = await Reading.ReadAsync("e.csv", "text\n\"  \"\nfine\n");
        Assert.Equal(["fine"], result.Texts);
        Assert.Equal("row 2", result.SingleQuarantine(QuarantineReasons.EmptyAfterCleaning).Locator);
    }
}

public sealed class DelimitedLimitTests
{
    [Fact]
    public async Task A_record_over_the_line_limit_is_line_too_long()
    {
        var options = new IngestionOptions { MaxLineBytes = 1024 };
        var content = "text\nshort\n\"" + new string('x', 200_000) + "\"\nafter\n";
        var result = await Reading.ReadAsync(options, "big.csv", content);

        Assert.Equal("short", result.Texts[0]);
        var entry = result.Quarantined[0];
        Assert.Equal(QuarantineReasons.LineTooLong, entry.Reason);
        Assert.Equal("row 3", entry.Locator);
    }
}
