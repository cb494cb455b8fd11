using System.Text;

namespace BertFunctions.Tokenization.Training;

/// <summary>
/// A vocabulary made by <see cref="WordPieceTrainer"/>: the five special tokens at ids 0 to 4
/// (<c>[PAD] [UNK] [CLS] [SEP] [MASK]</c>), then the alphabet (each character, then each character's
/// <c>##</c> form, both in code point order), then the merged tokens in the order they were merged.
/// </summary>
/// <remarks>
/// bert-base-uncased has [PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103 because of its [unused]
/// slots; a vocabulary trained from scratch needs none, so its specials are simply the first five ids.
/// The tokenizer looks specials up by text, so nothing depends on their ids.
/// </remarks>
public sealed class TrainedVocabulary
{
    internal TrainedVocabulary(IReadOnlyList<string> tokens, BertTokenizerOptions options, int alphabetSize, int merges)
    {
        Tokens = tokens;
        TokenizerOptions = options;
        AlphabetSize = alphabetSize;
        Merges = merges;
    }

    /// <summary>The tokens; the index is the id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>The tokenizer settings the words were counted with, to load the vocabulary with.</summary>
    public BertTokenizerOptions TokenizerOptions { get; }

    /// <summary>Distinct characters kept (each is two tokens: itself and its <c>##</c> form).</summary>
    public int AlphabetSize { get; }

    /// <summary>Merges done (a merge whose result was already a token adds none).</summary>
    public int Merges { get; }

    /// <summary>Writes <c>vocab.txt</c>: one token per line, UTF-8 without BOM, each line ending in <c>\n</c>. The stream is left open.</summary>
    public void WriteVocabTxt(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        foreach (var token in Tokens)
        {
            writer.Write(token);
            writer.Write('\n');
        }
    }

    /// <summary>A tokenizer with this vocabulary and <see cref="TokenizerOptions"/>.</summary>
    public BertWordPieceTokenizer CreateTokenizer()
    {
        using var vocab = new MemoryStream();
        WriteVocabTxt(vocab);
        vocab.Position = 0;
        return BertWordPieceTokenizer.FromVocab(vocab, TokenizerOptions);
    }
}
