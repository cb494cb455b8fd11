using BertFunctions.Corpora;

namespace BertFunctions.Ingestion.Tests;

/// <summary>The mailing-list footer option: the footers of the lists in Spam Assassin go, the message above them stays.</summary>
public sealed class MailingListFooterTests(ITestOutputHelper output)
{
    [Theory]
    // Mailman with a rule of underscores (SourceForge's lists).
    [InlineData("Patch attached.\nThanks, Dan\n_______________________________________________\nSpamassassin-talk mailing list\nSpamassassin-talk@lists.sourceforge.net\nhttps://lists.sourceforge.net/lists/listinfo/spamassassin-talk", "Patch attached.\nThanks, Dan")]
    // A signature separator, the link and a line after it (ILUG).
    [InlineData("See you there.\n--\nIrish Linux Users' Group: ilug@linux.ie\nhttp://www.linux.ie/mailman/listinfo/ilug for (un)subscription information.\nList maintainer: listmaster@linux.ie", "See you there.")]
    // The bare link as the last line (FoRK).
    [InlineData("Apparently, I suck at pattern matching.\n-Mike\nhttp://xent.com/mailman/listinfo/fork", "Apparently, I suck at pattern matching.\n-Mike")]
    // No footer: unchanged, even with a link to a list's page in the middle of a long message.
    [InlineData("Join at http://example.org/mailman/listinfo/x today.\n1\n2\n3\n4\n5\n6\n7\n8\n9", "Join at http://example.org/mailman/listinfo/x today.\n1\n2\n3\n4\n5\n6\n7\n8\n9")]
    public void The_footer_goes_and_the_message_stays(string text, string expected)
    {
        Assert.Equal(expected, MailingListFooter.Strip(text));
    }

    [Fact]
    public async Task In_spam_assassin_no_body_ends_with_a_list_footer_once_stripped()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new IngestionOptions { Include = ["*.txt"], LabelFromFolder = true, LabelMap = [new("easy-ham-*", "ham"), new("hard-ham-*", "ham"), new("spam-*", "spam")], Labeled = true };
        var root = CorpusLocator.SpamAssassin();
        var counts = new Dictionary<(string Label, bool Stripped), (int Footers, int Emails)>();
        foreach (var strip in (bool[])[false, true])
        {
            var reader = new DocumentReader(options with { StripListFooters = strip });
            foreach (var file in root.EnumerateFiles("*.txt", SearchOption.AllDirectories))
            {
                var name = Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/');
                await using var stream = file.OpenRead();
                await foreach (var item in reader.ReadAsync(name, stream, new ReadStatistics(), ct: ct))
                {
                    if (item is ReadItem.Document { Value: var d })
                    {
                        var tail = string.Join('\n', d.Text.Split('\n').TakeLast(MailingListFooter.MaxFooterLines));
                        var (footers, emails) = counts.GetValueOrDefault((d.Label!, strip));
                        counts[(d.Label!, strip)] = (footers + (tail.Contains("/listinfo", StringComparison.OrdinalIgnoreCase) ? 1 : 0), emails + 1);
                    }
                }
            }
        }

        foreach (var ((label, stripped), (footers, emails)) in counts.OrderBy(kv => kv.Key))
        {
            output.WriteLine($"{label}, {(stripped ? "stripped" : "as read")}: {footers} of {emails} bodies end with a list footer ({100.0 * footers / emails:F1} %)");
        }

        Assert.InRange((double)counts[("ham", false)].Footers / counts[("ham", false)].Emails, 0.35, 0.65); // about half the ham
        Assert.InRange((double)counts[("spam", false)].Footers / counts[("spam", false)].Emails, 0.10, 0.30); // about a fifth of the spam
        Assert.Equal(0, counts[("ham", true)].Footers);
        Assert.Equal(0, counts[("spam", true)].Footers);
        Assert.Equal(counts[("ham", false)].Emails, counts[("ham", true)].Emails); // nothing lost: no email became empty
        Assert.Equal(counts[("spam", false)].Emails, counts[("spam", true)].Emails);
    }
}
