using System.Runtime.CompilerServices;

namespace BertFunctions.Tokenization;

/// <summary>
/// The word being collected (normalized UTF-16) plus scratch space for its pieces, all in buffers
/// rented once per call. Past the per-word limit only code points are counted: the word becomes [UNK].
/// </summary>
internal ref struct WordState
{
    private readonly Span<char> _buffer;
    private readonly bool _tracksOffsets;
    private int _length;

    internal WordState(Span<char> buffer, Span<int> ints, int capacity, bool tracksOffsets)
    {
        _buffer = buffer;
        _tracksOffsets = tracksOffsets;
        PieceIds = ints[..capacity];
        PieceEnds = ints.Slice(capacity, capacity);
        Starts = tracksOffsets ? ints.Slice(2 * capacity, capacity) : [];
        Ends = tracksOffsets ? ints.Slice(3 * capacity, capacity) : [];
    }

    /// <summary>Code points appended since the last reset (may exceed what is stored).</summary>
    internal int CodePoints { get; private set; }

    /// <summary>Start of the word in the source text.</summary>
    internal int SourceStart { get; private set; }

    /// <summary>End of the word in the source text.</summary>
    internal int SourceEnd { get; private set; }

    /// <summary>The stored characters.</summary>
    internal readonly ReadOnlySpan<char> Chars => _buffer[.._length];

    /// <summary>Scratch: ids of the pieces found.</summary>
    internal Span<int> PieceIds { get; }

    /// <summary>Scratch: end (in <see cref="Chars"/>) of each piece found.</summary>
    internal Span<int> PieceEnds { get; }

    /// <summary>Source start of each stored char (only when offsets are tracked).</summary>
    internal Span<int> Starts { get; }

    /// <summary>Source end of each stored char (only when offsets are tracked).</summary>
    internal Span<int> Ends { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Append(char c, int from, int to, int maxCodePoints)
    {
        if (CodePoints == 0)
        {
            SourceStart = from;
        }

        SourceEnd = to;
        if (++CodePoints <= maxCodePoints)
        {
            if (_tracksOffsets)
            {
                Starts[_length] = from;
                Ends[_length] = to;
            }

            _buffer[_length++] = c;
        }
    }

    internal void AppendPair(int codePoint, int from, int to, int maxCodePoints)
    {
        if (CodePoints == 0)
        {
            SourceStart = from;
        }

        SourceEnd = to;
        if (++CodePoints <= maxCodePoints)
        {
            var scalar = new System.Text.Rune(codePoint);
            if (_tracksOffsets)
            {
                Starts[_length] = Starts[_length + 1] = from;
                Ends[_length] = Ends[_length + 1] = to;
            }

            _length += scalar.EncodeToUtf16(_buffer[_length..]);
        }
    }

    internal void Reset()
    {
        CodePoints = 0;
        _length = 0;
    }
}
