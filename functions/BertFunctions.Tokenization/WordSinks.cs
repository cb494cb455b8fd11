using System.Runtime.InteropServices;

namespace BertFunctions.Tokenization;

/// <summary>Pre-tokenization into a callback: every word the WordPiece step would see, in order.</summary>
internal readonly struct WordCallbackSink(Action<ReadOnlySpan<char>> onWord) : IPieceSink
{
    public static bool TracksOffsets => false;

    public static bool TakesWords => true;

    /// <summary>Special tokens still arrive as ids; they are not words, so they are dropped.</summary>
    public void Add(int id, int start, int end)
    {
    }

    public bool EndWord() => true;

    public void AddWord(ReadOnlySpan<char> word) => onWord(word);
}

/// <summary>Pre-tokenization into word counts: a string is allocated only for a word not counted before.</summary>
internal readonly struct WordCountSink(Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> counts) : IPieceSink
{
    public static bool TracksOffsets => false;

    public static bool TakesWords => true;

    /// <summary>Special tokens still arrive as ids; they are not words, so they are dropped.</summary>
    public void Add(int id, int start, int end)
    {
    }

    public bool EndWord() => true;

    public void AddWord(ReadOnlySpan<char> word) => CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
}
