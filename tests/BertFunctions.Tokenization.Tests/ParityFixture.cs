using BertFunctions.Corpora;

namespace BertFunctions.Tokenization.Tests;

/// <summary>Loads bert-base-uncased, the HF reference and the real corpora once for all parity tests.</summary>
public sealed class ParityFixture : IDisposable
{
    public ParityFixture()
    {
        Tokenizer = Vocabularies.Create(Vocabularies.BertBaseUncased());
        Hf = new HfReference(Tokenizer);
        HfTruncated = new HfReference(Tokenizer, truncateAt: 128);
        Brown = [.. BrownCorpus.ReadAll(CorpusLocator.Brown()).Select(d => d.Text)];
        SpamBodies = [.. SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin()).Select(e => SpamAssassinCorpus.Body(e.Raw))];
    }

    public BertWordPieceTokenizer Tokenizer { get; }

    internal HfReference Hf { get; }

    internal HfReference HfTruncated { get; }

    public IReadOnlyList<string> Brown { get; }

    public IReadOnlyList<string> SpamBodies { get; }

    public void Dispose()
    {
        Hf.Dispose();
        HfTruncated.Dispose();
    }
}
