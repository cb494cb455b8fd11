using System.Text;

namespace BertFunctions.Ingestion.Tests;

public sealed class TextFormatTests
{
    [Fact]
    public async Task A_text_file_is_one_clean_document()
    {
        var result = await Reading.ReadAsync("notes/a.txt", "  Title\r\n\r\n\r\n\r\nFirst  paragraph\r\nline two \r\n");

        var document = Assert.Single(result.Documents);
        Assert.Equal(new SourceDocument("Title\n\nFirst paragraph\nline two", null, "notes/a.txt", ""), document);
        Assert.Equal(1, result.Stats.Documents);
    }

    [Fact]
    public async Task A_file_without_extension_is_text()
    {
        var result = await Reading.ReadAsync("brown/ca01", "The Fulton County Grand Jury said Friday");
        Assert.Equal(["The Fulton County Grand Jury said Friday"], result.Texts);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_not_text()
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), "bom.txt", [0xEF, 0xBB, 0xBF, .. "caf\u00e9"u8]);
        Assert.Equal(["caf\u00e9"], result.Texts);
        Assert.Equal(0, result.Stats.InvalidBytesReplaced);
    }

    [Fact]
    public async Task Utf16_with_a_byte_order_mark_is_decoded()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("h\u00e9llo w\u00f6rld\r\n")).ToArray();
        var result = await Reading.ReadAsync(new IngestionOptions(), "utf16.txt", bytes);
        Assert.Equal(["h\u00e9llo w\u00f6rld"], result.Texts);
    }

    [Fact]
    public async Task Invalid_utf8_is_replaced_counted_and_the_document_kept()
    {
        byte[] bytes = [.. "good "u8, 0xFF, 0xFE, .. " text "u8, 0xC3, .. " end"u8];
        var result = await Reading.ReadAsync(new IngestionOptions(), "latin.txt", bytes);

        Assert.Equal(["good text end"], result.Texts);
        Assert.Equal(3, result.Stats.InvalidBytesReplaced);
    }

    [Fact]
    public async Task Blank_lines_separate_documents()
    {
        var options = new IngestionOptions { TextMode = TextDocumentMode.BlankLineSeparated };
        var result = await Reading.ReadAsync(options, "paras.txt", "\r\nfirst doc\r\nstill first\r\n\r\n \t \r\nsecond\n\n\n\nthird");

        Assert.Equal(["first doc\nstill first", "second", "third"], result.Texts);
        Assert.Equal(["line 2", "line 6", "line 10"], result.Documents.Select(d => d.Locator));
    }

    [Fact]
    public async Task Whitespace_only_file_is_empty_after_cleaning()
    {
        var result = await Reading.ReadAsync("blank.txt", " \r\n\t\u200B\n  \u0007 ");
        Assert.Equal(QuarantineReasons.EmptyAfterCleaning, result.SingleQuarantine(QuarantineReasons.EmptyAfterCleaning).Reason);
        Assert.Equal(1, result.Stats.Quarantined);
    }

    [Fact]
    public async Task Too_short_and_too_long_documents_are_quarantined_not_dropped()
    {
        var options = new IngestionOptions { TextMode = TextDocumentMode.BlankLineSeparated, MinDocumentChars = 5, MaxDocumentChars = 20 };
        var result = await Reading.ReadAsync(options, "sizes.txt", "tiny\n\njust right here\n\n" + new string('x', 30) + "\n\n" + new string('y', 500));

        Assert.Equal(["just right here"], result.Texts);
        Assert.Equal([QuarantineReasons.TooShort, QuarantineReasons.TooLong, QuarantineReasons.TooLong], result.Quarantined.Select(q => q.Reason));
        Assert.Equal(4, result.Stats.Records);
    }

    [Fact]
    public async Task Label_comes_from_the_folder_through_the_label_map()
    {
        var options = new IngestionOptions
        {
            LabelFromFolder = true,
            LabelMap = [new("easy-ham-*", "ham"), new("hard-ham-*", "ham"), new("spam-*", "spam")],
        };

        Assert.Equal("ham", (await Reading.ReadAsync(options, "data/easy-ham-2/1.txt", "hi")).Documents[0].Label);
        Assert.Equal("spam", (await Reading.ReadAsync(options, @"data\spam-1\1.txt", "hi")).Documents[0].Label);
        Assert.Equal("pos", (await Reading.ReadAsync(options, "labeled/imdb/pos/1.txt", "hi")).Documents[0].Label);
        Assert.Null((await Reading.ReadAsync(options, "1.txt", "hi")).Documents[0].Label);
    }

    [Fact]
    public async Task Labeled_data_quarantines_missing_and_unknown_labels()
    {
        var options = new IngestionOptions { LabelFromFolder = true, Labeled = true, AllowedLabels = ["pos", "neg"], LabelMap = [new("positive", "pos")] };

        Assert.Equal("pos", (await Reading.ReadAsync(options, "imdb/positive/1.txt", "great")).Documents[0].Label);
        var unknown = (await Reading.ReadAsync(options, "imdb/neutral/1.txt", "meh")).SingleQuarantine(QuarantineReasons.UnknownLabel);
        Assert.Contains("neutral", unknown.Detail, StringComparison.Ordinal);
        (await Reading.ReadAsync(options, "1.txt", "no folder")).SingleQuarantine(QuarantineReasons.MissingLabel);
    }
}
