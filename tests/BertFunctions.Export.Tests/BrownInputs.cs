using BertFunctions.Corpora;
using BertFunctions.Modeling;
using BertFunctions.Tokenization;

namespace BertFunctions.Export.Tests;

/// <summary>Real inputs: Brown sentences (and sentence pairs, for token type 1) tokenized with MiniLM's vocabulary, 1..128 tokens.</summary>
public sealed class BrownInputs
{
    public const int MaxLength = 128;

    private readonly BertWordPieceTokenizer tokenizer;
    private readonly List<string> lines;

    public BrownInputs()
    {
        using var vocabulary = MiniLmPretrained.OpenVocabulary();
        tokenizer = BertWordPieceTokenizer.FromVocab(vocabulary, new BertTokenizerOptions { LowerCase = MiniLmPretrained.DoLowerCase });
        lines = BrownCorpus.ReadAll(CorpusLocator.Brown())
            .SelectMany(d => d.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        Assert.True(lines.Count > 10_000, $"only {lines.Count} Brown sentences found");
    }

    public TokenSequence Encode(string text, string? pair = null)
    {
        var e = tokenizer.Encode(text, pair, MaxLength);
        return new TokenSequence(e.InputIds.Select(i => (long)i).ToArray(), e.TokenTypeIds.Select(i => (long)i).ToArray());
    }

    /// <summary>
    /// <paramref name="count"/> inputs in random (seeded) order, so every batch mixes lengths: a lone [CLS] (length 1),
    /// [CLS] [SEP], a one-word sentence, a text truncated to 128, sentence pairs, then random single sentences.
    /// </summary>
    public List<TokenSequence> Sample(int count, int seed)
    {
        var random = new Random(seed);
        var shuffled = lines.OrderBy(_ => random.Next()).ToList();
        var picked = new List<TokenSequence>
        {
            new([101], [0]),
            Encode(""),
            Encode("Yes"),
            Encode(string.Join(' ', shuffled.Take(20))),
            Encode(shuffled[20], shuffled[21]),
            Encode(shuffled[22], shuffled[23]),
        };
        picked.AddRange(shuffled.Skip(24).Take(count - picked.Count).Select(s => Encode(s)));
        return picked.OrderBy(_ => random.Next()).ToList();
    }

    /// <summary>Sequences of exactly <paramref name="length"/> tokens (texts truncated to it), for fixed-shape batches.</summary>
    public List<TokenSequence> OfLength(int count, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Encode(string.Join(' ', Enumerable.Range(0, 12).Select(_ => lines[random.Next(lines.Count)]))))
            .Select(s => new TokenSequence([.. s.Ids[..(length - 1)], 102], [.. s.Types[..length]]))
            .ToList();
    }
}
