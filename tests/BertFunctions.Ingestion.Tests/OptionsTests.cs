namespace BertFunctions.Ingestion.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(new IngestionOptions().Problems());
        new IngestionOptions().Validate();
    }

    [Fact]
    public void Validate_lists_every_problem()
    {
        var options = new IngestionOptions
        {
            TextField = "",
            MaxFileBytes = 0,
            MaxLineBytes = -1,
            MinDocumentChars = 10,
            MaxDocumentChars = 5,
            Include = [],
            AllowedLabels = [],
            LabelMap = [new LabelRule("", "x")],
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        foreach (var word in new[] { "TextField", "MaxFileBytes", "MaxLineBytes", "MaxDocumentChars", "Include", "AllowedLabels", "LabelMap" })
        {
            Assert.Contains(word, error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentException>(() => new DocumentReader(options));
    }

    [Fact]
    public void Limits_past_the_server_ceilings_are_refused_not_overflowed()
    {
        var options = new IngestionOptions { MaxFileBytes = long.MaxValue, MaxLineBytes = int.MaxValue, MaxDocumentChars = int.MaxValue };

        var problems = options.Problems();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("MaxFileBytes must be 1 to 4,294,967,296", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxLineBytes must be 1 to 67,108,864 (was 2,147,483,647)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxDocumentChars must be at most 10,000,000", StringComparison.Ordinal));
        Assert.Empty(new IngestionOptions { MaxFileBytes = IngestionOptions.CeilingFileBytes, MaxLineBytes = IngestionOptions.CeilingLineBytes, MaxDocumentChars = IngestionOptions.CeilingDocumentChars }.Problems());
    }

    [Theory]
    [InlineData("data/spam-1/00001.abc.txt", true)]
    [InlineData("data/spam-1/00001.abc.TXT", true)]
    [InlineData("data/spam-1/00001.abc.json", false)]
    [InlineData("data/spam-1/cmds", false)]
    [InlineData("data/spam-1/README.txt", false)]
    public void Include_and_exclude_globs_match_file_names(string name, bool accepted)
    {
        var reader = new DocumentReader(new IngestionOptions { Include = ["*.txt"], Exclude = ["README*"] });
        var stats = new ReadStatistics();
        Assert.Equal(accepted, reader.Accepts(name, stats));
        Assert.Equal(accepted ? 0 : 1, stats.ExcludedFiles);
    }

    [Fact]
    public void The_completion_marker_at_the_datasets_root_is_never_an_input_even_when_every_file_is_included()
    {
        var reader = new DocumentReader(new IngestionOptions { Include = ["*"] });
        Assert.False(reader.Accepts(DocumentReader.CompletionMarker));
        Assert.True(reader.Accepts("ham/" + DocumentReader.CompletionMarker)); // a label folder's file of that name is data
    }

    [Fact]
    public void Globs_with_a_slash_match_the_path()
    {
        var reader = new DocumentReader(new IngestionOptions { Include = ["labeled/**/train/*.jsonl"] });
        Assert.True(reader.Accepts("labeled/imdb/train/a.jsonl"));
        Assert.True(reader.Accepts(@"labeled\imdb\v2\train\a.jsonl"));
        Assert.False(reader.Accepts("labeled/imdb/test/a.jsonl"));
        Assert.False(reader.Accepts("a.jsonl"));
    }

    [Fact]
    public void Byte_ranges_split_a_length_into_contiguous_parts()
    {
        Assert.Equal([new ByteRange(0, 4), new ByteRange(4, 8), new ByteRange(8, 10)], ByteRange.Split(10, 4));
        Assert.Equal([new ByteRange(0, 0)], ByteRange.Split(0, 4));
    }
}
