namespace BertFunctions.Datasets.Tests;

public sealed class PackingTests(BrownFixture brown)
{
    private const int Cls = 2;
    private const int Sep = 3;

    [Fact]
    public void Packs_consecutive_sentences_until_the_next_does_not_fit()
    {
        var packer = new SequencePacker(Cls, Sep, 10); // 8 pieces of room
        var sequences = packer.Pack(TestData.Document([5, 6, 7], [8, 9, 10], [11, 12, 13], [14])).ToList();
        Assert.Equal<int[]>([[Cls, 5, 6, 7, 8, 9, 10, Sep], [Cls, 11, 12, 13, 14, Sep]], sequences);
    }

    [Fact]
    public void Never_crosses_documents_and_keeps_short_trailing_sequences()
    {
        var packer = new SequencePacker(Cls, Sep, 10);
        var sequences = packer.Pack([TestData.Document([5, 6]), TestData.Document([7], [8]), TestData.Document()]).ToList();
        Assert.Equal<int[]>([[Cls, 5, 6, Sep], [Cls, 7, 8, Sep]], sequences);
    }

    [Fact]
    public void Splits_a_sentence_longer_than_a_sequence_into_chunks()
    {
        var packer = new SequencePacker(Cls, Sep, 8); // 6 pieces of room
        int[] longSentence = [.. Enumerable.Range(100, 14)];
        var sequences = packer.Pack(TestData.Document([5], longSentence, [6])).ToList();
        Assert.Equal<int[]>(
        [
            [Cls, 5, Sep],
            [Cls, 100, 101, 102, 103, 104, 105, Sep],
            [Cls, 106, 107, 108, 109, 110, 111, Sep],
            [Cls, 112, 113, 6, Sep],
        ], sequences);
    }

    [Fact]
    public void A_sentence_exactly_filling_a_sequence_is_not_split()
    {
        var packer = new SequencePacker(Cls, Sep, 8);
        var sequences = packer.Pack(TestData.Document([1, 1, 1, 1, 1, 1], [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9])).ToList();
        Assert.Equal(3, sequences.Count);
        Assert.All(sequences, s => Assert.Equal(8, s.Length));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(513)]
    public void Rejects_unsupported_lengths(int maxSeqLen) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequencePacker(Cls, Sep, maxSeqLen));

    [Theory]
    [InlineData(128)]
    [InlineData(8)]
    [InlineData(512)]
    public void Brown_every_sequence_is_framed_bounded_and_every_piece_appears_once_per_document(int maxSeqLen)
    {
        var vocabulary = brown.Vocabulary;
        var packer = new SequencePacker(vocabulary.ClsId, vocabulary.SepId, maxSeqLen);
        var total = 0;
        foreach (var document in brown.Documents)
        {
            var content = new List<int>();
            foreach (var sequence in packer.Pack(document))
            {
                Assert.InRange(sequence.Length, 3, maxSeqLen);
                Assert.Equal(vocabulary.ClsId, sequence[0]);
                Assert.Equal(vocabulary.SepId, sequence[^1]);
                Assert.DoesNotContain(vocabulary.ClsId, sequence[1..^1]);
                Assert.DoesNotContain(vocabulary.SepId, sequence[1..^1]);
                content.AddRange(sequence[1..^1]);
            }

            // Per document: the pieces come back exactly once and in order, so nothing crossed a document boundary.
            Assert.Equal(document.Sentences.SelectMany(s => s), content);
            total += content.Count;
        }

        Assert.True(total > 1_000_000, $"Brown gave only {total} pieces.");
    }

    [Fact]
    public void Every_dupe_copy_holds_every_piece_exactly_once()
    {
        var vocabulary = brown.Vocabulary;
        var documents = brown.Documents.Take(20).ToList();
        var builder = new PretrainingExampleBuilder(vocabulary, new PretrainingOptions { DupeFactor = 3 });
        var packed = builder.Pack(documents).ToList();
        var examples = builder.Build(documents, "v1", 0).ToList();
        Assert.Equal(3 * packed.Count, examples.Count);
        for (var copy = 0; copy < 3; copy++)
        {
            var copyExamples = examples.Skip(copy * packed.Count).Take(packed.Count).ToList();
            Assert.Equal(packed, copyExamples.Select(e => e.UnmaskedIds()));
        }

        Assert.NotEqual(examples[0].InputIds, examples[packed.Count].InputIds);
    }
}
