using BertFunctions.Corpora;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// Real inputs from the Spam Assassin corpus: subject lines as the short texts (what a mail filter classifies one at
/// a time), message bodies as the long ones (almost all fill the 128 positions), and a small labeled set to ingest.
/// </summary>
internal sealed record BenchTexts(IReadOnlyList<string> Subjects, IReadOnlyList<string> Bodies, IReadOnlyList<(string Text, string Label)> Training)
{
    public static BenchTexts Load(int bodies)
    {
        var corpus = CorpusLocator.SpamAssassin();
        var emails = SpamAssassinCorpus.ReadAll(corpus).ToList();

        // Interleave the groups so that ham and spam alternate in every batch and in the request stream.
        var mixed = emails.GroupBy(e => e.Group)
            .SelectMany(g => g.Select((e, i) => (e, i)))
            .OrderBy(p => p.i).ThenBy(p => p.e.Group, StringComparer.Ordinal)
            .Select(p => p.e)
            .ToList();
        var subjects = mixed.Select(e => Subject(e.Raw)).Where(s => s.Length >= 8).Distinct(StringComparer.Ordinal).Take(500).ToList();
        var bodyTexts = mixed.Select(e => SpamAssassinCorpus.Body(e.Raw).Trim()).Where(b => b.Length >= 2_000).Take(bodies).ToList();
        var training = mixed.Take(40).Select(e => (SpamAssassinCorpus.Body(e.Raw), e.Label)).Where(e => !string.IsNullOrWhiteSpace(e.Item1)).ToList();
        return new BenchTexts(subjects, bodyTexts, training);
    }

    /// <summary>The Subject header's value (first line only; folded continuations are rare in subjects), or empty.</summary>
    private static string Subject(string raw)
    {
        foreach (var line in raw.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty)
            {
                break; // end of the headers
            }

            if (line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
            {
                return line["Subject:".Length..].Trim().ToString();
            }
        }

        return string.Empty;
    }
}
