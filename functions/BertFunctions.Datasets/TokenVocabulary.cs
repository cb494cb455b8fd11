using System.Security.Cryptography;
using BertFunctions.Tokenization;

namespace BertFunctions.Datasets;

/// <summary>
/// What example building needs to know about a WordPiece vocabulary: its size, its special ids, which
/// pieces continue a word (<c>##</c>), and the SHA-256 of the vocab file that shard headers carry so a
/// trainer can refuse shards built with another vocabulary.
/// </summary>
public sealed class TokenVocabulary
{
    private const string ContinuationPrefix = "##";
    private readonly bool[] _special;
    private readonly bool[] _continuation;
    private readonly byte[] _fileHash;

    private TokenVocabulary(BertWordPieceTokenizer tokenizer, byte[] fileHash)
    {
        Tokenizer = tokenizer;
        _fileHash = fileHash;
        Size = tokenizer.VocabularySize;
        _special = new bool[Size];
        foreach (var id in (int[])[tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.MaskTokenId, tokenizer.UnkTokenId])
        {
            _special[id] = true;
        }

        _continuation = new bool[Size];
        var ordinary = new List<int>(Size);
        for (var id = 0; id < Size; id++)
        {
            _continuation[id] = tokenizer.IdToToken(id) is { Length: > 2 } token && token.StartsWith(ContinuationPrefix, StringComparison.Ordinal);
            if (!_special[id])
            {
                ordinary.Add(id);
            }
        }

        NonSpecialIds = [.. ordinary];
    }

    /// <summary>The tokenizer built from the same vocab file.</summary>
    public BertWordPieceTokenizer Tokenizer { get; }

    /// <summary>Number of ids.</summary>
    public int Size { get; }

    /// <summary>[CLS].</summary>
    public int ClsId => Tokenizer.ClsTokenId;

    /// <summary>[SEP].</summary>
    public int SepId => Tokenizer.SepTokenId;

    /// <summary>[PAD].</summary>
    public int PadId => Tokenizer.PadTokenId;

    /// <summary>[MASK].</summary>
    public int MaskId => Tokenizer.MaskTokenId;

    /// <summary>[UNK].</summary>
    public int UnkId => Tokenizer.UnkTokenId;

    /// <summary>Every id except the five special tokens, ascending: the pool of MLM's random replacements.</summary>
    public IReadOnlyList<int> NonSpecialIds { get; }

    /// <summary>SHA-256 of the vocab file's bytes (a copy).</summary>
    public byte[] FileHash => (byte[])_fileHash.Clone();

    /// <summary>Reads a <c>vocab.txt</c> from a stream (left open), hashing its bytes and building the tokenizer.</summary>
    /// <exception cref="InvalidDataException">The vocabulary is empty, not UTF-8, or lacks a special token.</exception>
    public static TokenVocabulary Load(Stream vocabFile, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabFile);
        using var copy = new MemoryStream();
        vocabFile.CopyTo(copy);
        return Load(copy.ToArray(), options);
    }

    /// <summary>Builds from the bytes of a <c>vocab.txt</c>.</summary>
    /// <exception cref="InvalidDataException">The vocabulary is empty, not UTF-8, or lacks a special token.</exception>
    public static TokenVocabulary Load(byte[] vocabFile, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabFile);
        using var stream = new MemoryStream(vocabFile, writable: false);
        return new TokenVocabulary(BertWordPieceTokenizer.FromVocab(stream, options), SHA256.HashData(vocabFile));
    }

    /// <summary>True for [CLS], [SEP], [PAD], [MASK] and [UNK]: never MLM candidates, never random replacements.</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)Size && _special[id];

    /// <summary>True for a piece that continues the previous one in a word (written <c>##...</c>).</summary>
    public bool IsContinuation(int id) => (uint)id < (uint)Size && _continuation[id];

    /// <summary>The header fields of a shard holding examples over this vocabulary.</summary>
    public ShardHeader ShardHeader(ShardKind kind, int maxSeqLen) => new(kind, Size, FileHash, maxSeqLen);
}
