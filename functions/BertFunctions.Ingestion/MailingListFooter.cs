namespace BertFunctions.Ingestion;

/// <summary>
/// Removes the footer a mailing-list manager (Mailman, SourceForge's lists) appends to every message: the block at the
/// end of a body that holds a <c>/listinfo</c> link, from the separator above it (<c>--</c>, a rule of underscores or
/// dashes) or from the link itself, to the end. In Spam Assassin it is in about half the ham and a fifth of the spam,
/// so a classifier can score on the footer instead of the message; stripping it shows how much of a score that is.
/// Footers stack (a digest, a message sent to two lists, a reply quoting the footer above its own), so the end is
/// stripped until no footer is left there.
/// </summary>
public static class MailingListFooter
{
    /// <summary>The footer must start within this many lines of the end.</summary>
    public const int MaxFooterLines = 8;

    /// <summary>A separator may be this many lines above the link.</summary>
    private const int MaxSeparatorDistance = 4;

    /// <summary><paramref name="cleanedText"/> without its mailing-list footers (unchanged when it has none).</summary>
    public static string Strip(string cleanedText)
    {
        ArgumentNullException.ThrowIfNull(cleanedText);
        var text = cleanedText;
        while (StripLast(text) is { } shorter)
        {
            text = shorter;
        }

        return text;
    }

    /// <summary>The text without its last footer, or null when it ends without one.</summary>
    private static string? StripLast(string text)
    {
        var lines = text.Split('\n');
        var link = -1;
        for (var i = lines.Length - 1; i >= Math.Max(0, lines.Length - MaxFooterLines); i--)
        {
            if (lines[i].Contains("/listinfo", StringComparison.OrdinalIgnoreCase))
            {
                link = i;
                break;
            }
        }

        if (link < 0)
        {
            return null;
        }

        var start = link;
        for (var i = link - 1; i >= Math.Max(0, link - MaxSeparatorDistance); i--)
        {
            if (IsSeparator(lines[i]))
            {
                start = i;
                break;
            }
        }

        return string.Join('\n', lines[..start]).TrimEnd();
    }

    /// <summary>A signature or footer rule, also when quoted (<c>&gt; --</c>).</summary>
    private static bool IsSeparator(string line)
    {
        var bare = line.TrimStart('>', ' ').TrimEnd();
        return bare == "--" || (bare.Length >= 5 && bare.All(c => c is '_' or '-' or '='));
    }
}
