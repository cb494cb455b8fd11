using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Tests;

/// <summary>A request's (or config/{dataset}.json's) <c>reading.format</c> names every input format, in snake case.</summary>
public sealed class RunRequestReadingTests
{
    [Theory]
    [InlineData("auto", InputFormat.Auto)]
    [InlineData("json_lines", InputFormat.JsonLines)]
    [InlineData("tsv", InputFormat.Tsv)]
    [InlineData("parquet", InputFormat.Parquet)]
    public void Reading_format_names_the_input_format(string name, InputFormat expected)
    {
        var request = TrainingRunRequest.FromJson($$$"""{"dataset": "spam", "reading": {"format": "{{{name}}}", "text_field": "sentence"}}""");

        Assert.Equal(expected, request.Reading!.Format);
        Assert.Equal("sentence", request.Reading.TextField);
    }
}
