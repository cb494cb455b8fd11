using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BertFunctions.Tokenization;

/// <summary>
/// The word being collected (normalized UTF-16) with the prefix hashes of its characters, plus scratch
/// space for its pieces, all in buffers rented once per call. Past the per-word limit only code points
/// are counted: the word becomes [UNK].
/// </summary>
/// <remarks>
/// <c>Hashes[k]</c> is <see cref="VocabTable.Hash"/> of <c>Chars[..k]</c>, kept up to date as characters
/// are appended, so WordPiece can look up the whole word, or any piece of it, without hashing again.
/// </remarks>
internal ref struct WordState
{
    private readonly Span<char> _buffer;
    private readonly Span<ulong> _hashes;
    private readonly ReadOnlySpan<ulong> _powers;
    private readonly bool _tracksOffsets;
    private readonly int _maxCodePoints;
    private int _length;

    /// <param name="buffer">Room for the stored characters.</param>
    /// <param name="hashes">At least one more element than <paramref name="buffer"/>.</param>
    /// <param name="powers"><see cref="VocabTable.Base"/>^k for every k below the length of <paramref name="buffer"/>.</param>
    /// <param name="ints">Scratch for pieces (and offsets): 2 or 4 times <paramref name="capacity"/>.</param>
    /// <param name="capacity">Length of <paramref name="buffer"/>: at least 2 * <paramref name="maxCodePoints"/> + 2.</param>
    /// <param name="maxCodePoints">Longest word stored; longer ones are only counted.</param>
    /// <param name="tracksOffsets">Whether per-char source offsets are kept.</param>
    internal WordState(Span<char> buffer, Span<ulong> hashes, ReadOnlySpan<ulong> powers, Span<int> ints, int capacity, int maxCodePoints, bool tracksOffsets)
    {
        // AppendAsciiRun relies on these sizes to skip bounds checks.
        if (maxCodePoints < 1 || capacity < (2 * maxCodePoints) + 2 || buffer.Length < capacity || hashes.Length <= capacity || powers.Length <= capacity)
        {
            throw new ArgumentException("Word buffers are smaller than the capacity.");
        }

        _maxCodePoints = maxCodePoints;

        _buffer = buffer;
        _hashes = hashes;
        _hashes[0] = 0;
        _powers = powers;
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

    /// <summary>Prefix hashes: element k hashes the first k stored characters.</summary>
    internal readonly ReadOnlySpan<ulong> Hashes => _hashes[..(_length + 1)];

    /// <summary>Scratch: ids of the pieces found.</summary>
    internal Span<int> PieceIds { get; }

    /// <summary>Scratch: end (in <see cref="Chars"/>) of each piece found.</summary>
    internal Span<int> PieceEnds { get; }

    /// <summary>Source start of each stored char (only when offsets are tracked).</summary>
    internal Span<int> Starts { get; }

    /// <summary>Source end of each stored char (only when offsets are tracked).</summary>
    internal Span<int> Ends { get; }

    /// <summary>
    /// Appends <c>text[i]</c>, an ASCII word character, and every ASCII word character after it; returns
    /// the index after the run. <paramref name="table"/> is the pipeline's ASCII table: an entry below
    /// 0x100 is a word character and is its normalized form (the first character may be a word
    /// character that can start a special token, flagged in the high byte).
    /// </summary>
    /// <remarks>
    /// This is where most of the input goes, so it keeps everything in locals and writes the fields
    /// back once per run rather than once per character.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int AppendAsciiRun<TSink>(ReadOnlySpan<char> text, int i, ReadOnlySpan<ushort> table)
        where TSink : struct, IPieceSink
    {
        // Bounds checks are elided by hand in this loop: while codePoints < maxCodePoints, length is below
        // 2 * maxCodePoints (a code point is at most 2 chars), which every buffer exceeds (see the constructor).
        ref var buffer = ref MemoryMarshal.GetReference(_buffer);
        ref var hashes = ref MemoryMarshal.GetReference(_hashes);
        ref var powers = ref MemoryMarshal.GetReference(_powers);
        ref var source = ref MemoryMarshal.GetReference(text);
        ref var classes = ref MemoryMarshal.GetReference(table);
        var maxCodePoints = _maxCodePoints;
        var length = _length;
        var codePoints = CodePoints;
        var hash = Unsafe.Add(ref hashes, length);
        if (codePoints == 0)
        {
            SourceStart = i;
        }

        var entry = table[text[i]];
        while (true)
        {
            if (codePoints < maxCodePoints)
            {
                // The low byte: the first char of a run may carry the special-token-start flag above it.
                var c = (char)(byte)entry;
                if (TSink.TracksOffsets)
                {
                    Starts[length] = i;
                    Ends[length] = i + 1;
                }

                Unsafe.Add(ref buffer, length) = c;
                hash += c * Unsafe.Add(ref powers, length);
                Unsafe.Add(ref hashes, ++length) = hash;
            }

            codePoints++;
            if (++i >= text.Length)
            {
                break;
            }

            var next = Unsafe.Add(ref source, i);
            if (next >= 128)
            {
                break;
            }

            entry = Unsafe.Add(ref classes, next);
            if (entry >= 0x100)
            {
                break;
            }
        }

        _length = length;
        CodePoints = codePoints;
        SourceEnd = i;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Append(char c, int from, int to)
    {
        if (CodePoints == 0)
        {
            SourceStart = from;
        }

        SourceEnd = to;
        if (++CodePoints <= _maxCodePoints)
        {
            if (_tracksOffsets)
            {
                Starts[_length] = from;
                Ends[_length] = to;
            }

            Store(c);
        }
    }

    internal void AppendPair(int codePoint, int from, int to)
    {
        if (CodePoints == 0)
        {
            SourceStart = from;
        }

        SourceEnd = to;
        if (++CodePoints <= _maxCodePoints)
        {
            if (_tracksOffsets)
            {
                Starts[_length] = Starts[_length + 1] = from;
                Ends[_length] = Ends[_length + 1] = to;
            }

            Span<char> pair = stackalloc char[2];
            var count = new System.Text.Rune(codePoint).EncodeToUtf16(pair);
            for (var k = 0; k < count; k++)
            {
                Store(pair[k]);
            }
        }
    }

    internal void Reset()
    {
        CodePoints = 0;
        _length = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(char c)
    {
        _buffer[_length] = c;
        _hashes[_length + 1] = _hashes[_length] + (c * _powers[_length]);
        _length++;
    }
}
