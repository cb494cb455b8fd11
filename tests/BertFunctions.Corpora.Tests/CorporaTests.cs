namespace BertFunctions.Corpora.Tests;

public sealed class CorporaTests
{
    [Fact]
    public void The_brown_corpus_has_its_500_documents_as_plain_text()
    {
        var documents = BrownCorpus.ReadAll(CorpusLocator.Brown());

        Assert.Equal(500, documents.Count);
        Assert.Equal("ca01", documents[0].Name);
        Assert.Equal("cr09", documents[^1].Name);
        Assert.StartsWith("The Fulton County Grand Jury said Friday", documents[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/at ", documents[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_are_what_follows_the_last_slash()
    {
        Assert.Equal("The jury 1/2 .\nok\n", BrownCorpus.StripTags("\n\tThe/at jury/nn 1/2/cd ./.\n\n  ok/uh  \n"));
    }

    [Fact]
    public void The_spam_assassin_corpus_has_6046_emails_in_five_groups()
    {
        var emails = SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin()).ToList();

        Assert.Equal(6046, emails.Count);
        Assert.Equal(1896, emails.Count(e => e.Label == "spam"));
        Assert.Equal(4150, emails.Count(e => e.Label == "ham"));
    }

    [Theory]
    [InlineData("Subject: hi\nFrom: a@b\n\nbody line\n\nmore", "body line\n\nmore")]
    [InlineData("Subject: hi\r\n\r\nbody", "body")]
    [InlineData("Subject: only headers", "")]
    public void The_body_is_everything_after_the_first_empty_line(string raw, string body)
    {
        Assert.Equal(body, SpamAssassinCorpus.Body(raw));
    }
}
