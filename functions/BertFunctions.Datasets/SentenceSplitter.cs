namespace BertFunctions.Datasets;

/// <summary>
/// A deliberately simple rule-based sentence splitter for cleaned text: a line break always ends a
/// sentence, and so does <c>.</c>, <c>!</c> or <c>?</c> (a run of them) followed by whitespace and then an
/// uppercase letter or a digit. No abbreviation list: "Mr. Smith" is split, which only moves a packing
/// boundary and costs nothing else, because sentences are packed back together anyway.
/// </summary>
public static class SentenceSplitter
{
    /// <summary>The sentences of <paramref name="text"/>, trimmed, empty ones dropped.</summary>
    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        foreach (var line in text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            SplitLine(line, sentences);
        }

        return sentences;
    }

    private static void SplitLine(string line, List<string> sentences)
    {
        var start = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (!IsTerminator(line[i]) || (i + 1 < line.Length && IsTerminator(line[i + 1])))
            {
                continue;
            }

            var next = i + 1;
            while (next < line.Length && char.IsWhiteSpace(line[next]))
            {
                next++;
            }

            if (next > i + 1 && next < line.Length && (char.IsUpper(line[next]) || char.IsDigit(line[next])))
            {
                Add(line[start..(i + 1)], sentences);
                start = next;
                i = next - 1;
            }
        }

        Add(line[start..], sentences);
    }

    private static void Add(string sentence, List<string> sentences)
    {
        var trimmed = sentence.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?';
}
