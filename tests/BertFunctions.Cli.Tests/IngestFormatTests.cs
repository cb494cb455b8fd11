using BertFunctions.Cli.Commands;
using BertFunctions.Cli.Io;
using BertFunctions.Ingestion;

namespace BertFunctions.Cli.Tests;

/// <summary><c>--format</c> of <c>bertfn ingest</c> names every input format the reader knows.</summary>
public sealed class IngestFormatTests
{
    [Theory]
    [InlineData("auto", InputFormat.Auto)]
    [InlineData("jsonl", InputFormat.JsonLines)]
    [InlineData("csv", InputFormat.Csv)]
    [InlineData("parquet", InputFormat.Parquet)]
    [InlineData("Parquet", InputFormat.Parquet)]
    public void The_format_option_becomes_the_reading_format(string option, InputFormat expected) =>
        Assert.Equal(expected, IngestCommand.ToRequest(new IngestCommand.Settings { Dataset = "abc", Format = option }).Reading.Format);

    [Fact]
    public void An_unknown_format_is_a_usage_error_that_lists_parquet()
    {
        var error = Assert.Throws<CliException>(() => IngestCommand.ToRequest(new IngestCommand.Settings { Dataset = "abc", Format = "arrow" }));
        Assert.Contains("parquet", error.Message, StringComparison.Ordinal);
    }
}
