namespace BertFunctions.Tokenization.Tests;

/// <summary>Our encodings equal HF's on every document of the real corpora.</summary>
public sealed class CorpusParityTests(ParityFixture fixture) : IClassFixture<ParityFixture>
{
    private readonly BertWordPieceTokenizer _tokenizer = fixture.Tokenizer;

    [Fact]
    public void Brown_has_500_documents_and_spam_assassin_6046_emails()
    {
        Assert.Equal(500, fixture.Brown.Count);
        Assert.Equal(6046, fixture.SpamBodies.Count);
    }

    [Fact]
    public void Every_brown_document_matches_hf() => CompareAll("brown", fixture.Brown, truncated: false);

    [Fact]
    public void Every_spam_assassin_body_matches_hf() => CompareAll("spam-assassin", fixture.SpamBodies, truncated: false);

    [Fact]
    public void Every_brown_document_truncated_at_128_matches_hf() => CompareAll("brown@128", fixture.Brown, truncated: true);

    [Fact]
    public void Every_spam_assassin_body_truncated_at_128_matches_hf() => CompareAll("spam-assassin@128", fixture.SpamBodies, truncated: true);

    [Fact]
    public void Consecutive_brown_documents_as_pairs_match_hf() => ComparePairs("brown pairs", fixture.Brown);

    [Fact]
    public void Consecutive_spam_assassin_bodies_as_pairs_match_hf() => ComparePairs("spam-assassin pairs", fixture.SpamBodies);

    private void CompareAll(string corpus, IReadOnlyList<string> texts, bool truncated)
    {
        var comparison = new Comparison(_tokenizer, corpus);
        var hf = truncated ? fixture.HfTruncated : fixture.Hf;
        for (var i = 0; i < texts.Count; i++)
        {
            var ours = _tokenizer.Encode(texts[i], maxLength: truncated ? 128 : null);
            comparison.Check($"#{i}", texts[i], ours.InputIds, hf.Encode(texts[i]), ours.TokenTypeIds, new int[ours.InputIds.Length], ours.AttentionMask);
        }

        comparison.AssertNone();
    }

    private void ComparePairs(string corpus, IReadOnlyList<string> texts)
    {
        // Pairs of neighbours, both unlimited and at 128 (longest_first), for a sample that keeps CI fast.
        var comparison = new Comparison(_tokenizer, corpus);
        var hfSingles = new Dictionary<int, int[]>();
        int[] Hf(int i) => hfSingles.TryGetValue(i, out var ids) ? ids : hfSingles[i] = fixture.Hf.Encode(texts[i]);
        var step = texts.Count > 1000 ? 7 : 1;
        for (var i = 0; i + 1 < texts.Count; i += step)
        {
            foreach (var max in new int?[] { null, 128, 16 })
            {
                var ours = _tokenizer.Encode(texts[i], texts[i + 1], max);
                var (ids, types) = PairReference.Encode(Hf(i), Hf(i + 1), _tokenizer.ClsTokenId, _tokenizer.SepTokenId, max);
                comparison.Check($"#{i}+#{i + 1} max {max?.ToString() ?? "none"}", texts[i], ours.InputIds, ids, ours.TokenTypeIds, types, ours.AttentionMask);
            }
        }

        comparison.AssertNone();
    }
}
