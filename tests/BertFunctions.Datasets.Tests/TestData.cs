using System.Text;
using BertFunctions.Corpora;
using BertFunctions.Pretrained;

namespace BertFunctions.Datasets.Tests;

/// <summary>Vocabularies and in-memory shard sets the tests share.</summary>
internal static class TestData
{
    /// <summary>A tiny hand-written vocabulary: the five specials, words, and ## continuations.</summary>
    public static TokenVocabulary Small() => TokenVocabulary.Load(Encoding.UTF8.GetBytes(string.Join('\n',
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", ".", "un", "##aff", "##able",
        "dog", "##s", "run", "##ning", "a", "b", "c", "d", "e", "f", "g", "h",
    ]) + "\n"));

    /// <summary>bert-base-uncased's vocabulary (30,522 ids).</summary>
    public static TokenVocabulary BertBaseUncased()
    {
        using var stream = BundledMiniLm.OpenVocabulary();
        return TokenVocabulary.Load(stream);
    }

    /// <summary>A document of sentences given as id arrays.</summary>
    public static TokenizedDocument Document(params int[][] sentences) => new(sentences);

    /// <summary>Writes examples into an in-memory shard and returns its bytes.</summary>
    public static byte[] WriteShard(ShardHeader header, IEnumerable<TrainingExample> examples)
    {
        var output = new MemoryStream();
        using (var writer = new ShardWriter(output, header, leaveOpen: true))
        {
            foreach (var example in examples)
            {
                writer.Write(example);
            }
        }

        return output.ToArray();
    }

    /// <summary>Reads every example of shard bytes.</summary>
    public static List<TrainingExample> ReadShard(byte[] shard)
    {
        using var reader = ShardReader.Open(new MemoryStream(shard));
        return [.. reader.ReadExamples()];
    }
}

/// <summary>In-memory shard files by name, for <see cref="ShardSetWriter"/>.</summary>
internal sealed class MemoryShardFolder
{
    private readonly SortedDictionary<string, MemoryStream> _files = new(StringComparer.Ordinal);

    public Stream Open(string name)
    {
        var stream = new MemoryStream();
        _files.Add(name, stream);
        return stream;
    }

    public IReadOnlyDictionary<string, byte[]> Files => _files.ToDictionary(p => p.Key, p => p.Value.ToArray());
}

/// <summary>The Brown corpus tokenized with bert-base-uncased, once for the whole test run.</summary>
public sealed class BrownFixture
{
    public BrownFixture()
    {
        Vocabulary = TestData.BertBaseUncased();
        Documents = [.. BrownCorpus.ReadAll(CorpusLocator.Brown()).Select(d => TokenizedDocument.FromText(Vocabulary.Tokenizer, d.Text))];
    }

    public TokenVocabulary Vocabulary { get; }

    public IReadOnlyList<TokenizedDocument> Documents { get; }
}
