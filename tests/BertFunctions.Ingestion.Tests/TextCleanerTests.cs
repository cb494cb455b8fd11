namespace BertFunctions.Ingestion.Tests;

public sealed class TextCleanerTests
{
    [Theory]
    [InlineData("a\r\nb\rc\nd", "a\nb\nc\nd")]
    [InlineData("  hello   \t world  ", "hello world")]
    [InlineData("line one   \n   line two", "line one\nline two")]
    [InlineData("p1\n\n\n\n\np2", "p1\n\np2")]
    [InlineData("p1\n \t \n  \np2", "p1\n\np2")]
    [InlineData("\n\n  start and end  \n\n", "start and end")]
    [InlineData("bell\u0007 and nul\0 gone", "bell and nul gone")]
    [InlineData("soft\u00ADhyphen zero\u200Bwidth \uFEFFbom", "softhyphen zerowidth bom")]
    [InlineData("no\u00A0break\u3000ideographic", "no break ideographic")]
    [InlineData("broken \uFFFD byte", "broken byte")]
    [InlineData("form\ffeed", "form\nfeed")]
    [InlineData("para\u2029graph", "para\n\ngraph")]
    [InlineData("", "")]
    [InlineData(" \t\r\n ", "")]
    public void Cleans(string input, string expected) => Assert.Equal(expected, TextCleaner.Clean(input));

    [Fact]
    public void Keeps_joiners_emoji_and_scripts_but_drops_lone_surrogates()
    {
        const string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";
        const string persian = "می\u200Cخواهم";
        Assert.Equal($"{family} {persian} 日本語", TextCleaner.Clean($"{family} {persian} 日本語"));
        Assert.Equal("ab", TextCleaner.Clean("a\uD800b"));
        Assert.Equal("ab", TextCleaner.Clean("a\uDC00b"));
    }

    [Fact]
    public void Is_idempotent()
    {
        const string messy = "  Title \r\n\r\n\r\n  body\u00A0 text\t\there \u200B\n\n\n\nend \u0001";
        var once = TextCleaner.Clean(messy);
        Assert.Equal(once, TextCleaner.Clean(once));
    }

    [Fact]
    public void Hash_is_sha256_hex_of_the_utf8_text()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", DocumentHash.Of(""));
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", DocumentHash.Of("hello"));
        Assert.Equal(DocumentHash.Of(TextCleaner.Clean("a  b\r\n")), DocumentHash.Of(TextCleaner.Clean("a b\n")));
    }
}
