using Microsoft.ML.Tokenizers;

namespace BertFunctions.Tokenization;

/// <summary>Receives the word pieces of the pipeline; a struct so the JIT specializes the hot loop per sink.</summary>
internal interface IPieceSink
{
    /// <summary>Whether <see cref="Add"/> needs real source offsets (costs a little per character).</summary>
    static abstract bool TracksOffsets { get; }

    /// <summary>
    /// Whether the sink takes whole pre-tokenized words (<see cref="AddWord"/>) instead of WordPiece ids;
    /// a constant per sink, so the pipeline's branches on it vanish from the other sinks' code.
    /// </summary>
    static abstract bool TakesWords { get; }

    /// <summary>One word piece and the UTF-16 range of the source text it came from.</summary>
    void Add(int id, int start, int end);

    /// <summary>Called after the pieces of each word; false stops encoding (the word did not fit).</summary>
    bool EndWord();

    /// <summary>One normalized, pre-tokenized word (only called when <see cref="TakesWords"/>).</summary>
    void AddWord(ReadOnlySpan<char> word);
}

/// <summary>Appends ids to a list, stopping at a word boundary before <see cref="_max"/> pieces are exceeded.</summary>
internal struct IdSink(List<int> ids, int max) : IPieceSink
{
    private readonly int _first = ids.Count;
    private readonly int _max = max;
    private int _wordStart = ids.Count;
    private int _lastEnd;
    private int _pendingEnd;

    public static bool TracksOffsets => false;

    public static bool TakesWords => false;

    /// <summary>Source chars covered by the accepted pieces (only meaningful with offsets tracked; else 0).</summary>
    public readonly int CharsConsumed => _lastEnd;

    public void Add(int id, int start, int end)
    {
        ids.Add(id);
        _pendingEnd = end;
    }

    public readonly void AddWord(ReadOnlySpan<char> word)
    {
    }

    public bool EndWord()
    {
        if (ids.Count - _first > _max)
        {
            ids.RemoveRange(_wordStart, ids.Count - _wordStart);
            return false;
        }

        _wordStart = ids.Count;
        _lastEnd = _pendingEnd;
        return true;
    }
}

/// <summary>Builds <see cref="EncodedToken"/>s with source offsets, stopping like <see cref="IdSink"/>.</summary>
internal struct TokenSink(List<EncodedToken> tokens, string[] vocabulary, int max) : IPieceSink
{
    private int _wordStart;
    private int _lastEnd;
    private int _pendingEnd;

    public static bool TracksOffsets => true;

    public static bool TakesWords => false;

    /// <summary>End of the last accepted piece in the source text.</summary>
    public readonly int CharsConsumed => _lastEnd;

    public void Add(int id, int start, int end)
    {
        tokens.Add(new EncodedToken(id, vocabulary[id], new Range(start, end)));
        _pendingEnd = end;
    }

    public readonly void AddWord(ReadOnlySpan<char> word)
    {
    }

    public bool EndWord()
    {
        if (tokens.Count > max)
        {
            tokens.RemoveRange(_wordStart, tokens.Count - _wordStart);
            return false;
        }

        _wordStart = tokens.Count;
        _lastEnd = _pendingEnd;
        return true;
    }
}
