namespace BertFunctions.Datasets.Tests;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Splits_on_line_breaks_and_on_terminators_followed_by_space_and_capital_or_digit()
    {
        var sentences = SentenceSplitter.Split("The cat sat. The dog ran!  2 birds flew? yes they did.\r\nNew line here\n\n  Last one... Really");
        Assert.Equal(["The cat sat.", "The dog ran!", "2 birds flew? yes they did.", "New line here", "Last one...", "Really"], sentences);
    }

    [Fact]
    public void Does_not_split_without_whitespace_or_before_lowercase()
    {
        Assert.Equal(["e.g. this and 3.14 and U.S.A. stay"], SentenceSplitter.Split("e.g. this and 3.14 and U.S.A. stay"));
        Assert.Empty(SentenceSplitter.Split(" \n\r\n "));
    }

    [Fact]
    public void TokenizedDocument_tokenizes_each_sentence_and_drops_empty_ones()
    {
        var vocabulary = TestData.Small();
        var document = TokenizedDocument.FromText(vocabulary.Tokenizer, "The cat sat.\n\nUnaffable dogs. \u200B\n");
        Assert.Equal(2, document.Sentences.Count);
        Assert.Equal([5, 6, 7, 10], document.Sentences[0]);
        Assert.Equal([11, 12, 13, 14, 15, 10], document.Sentences[1]);
        Assert.Equal(10, document.TokenCount);
    }
}
