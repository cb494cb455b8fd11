using System.Buffers;
using System.Runtime.CompilerServices;

namespace BertFunctions.Tokenization;

/// <summary>
/// HF's BERT pipeline fused into one pass: added-token split, BertNormalizer, BertPreTokenizer and
/// WordPiece. ASCII goes through lookup tables; any other run of characters takes the exact Unicode
/// path (clean, CJK padding, NFD + mark removal, full lowercase). Thread-safe: all state is per call.
/// </summary>
internal sealed class BertPipeline
{
    // ASCII classes after normalization.
    private const byte Word = 0, Space = 1, Drop = 2, Punct = 3;
    private const byte SpecialStart = 0x80;

    private readonly Vocabulary _vocab;
    private readonly BertTokenizerOptions _options;
    private readonly byte[] _ascii = new byte[128];

    // Class in the high byte, normalized char in the low byte: an entry below 0x100 is a plain word
    // character, so the hot loop needs one load and one compare per character.
    private readonly ushort[] _asciiTable = new ushort[128];
    private readonly int[] _asciiPunctId = new int[128];
    private readonly (string Text, int Id)[] _specials;
    private readonly HashSet<char> _nonAsciiSpecialStarts = [];
    private readonly int _unkId;
    private readonly int _maxChars;
    private readonly int _capacity;
    private readonly bool _strip;
    private readonly VocabTable _whole;
    private readonly VocabTable _continuation;

    // Base^k and Base^-k for every position in a word: the hash of chars [s, e) is
    // (H[e] - H[s]) * Base^-s from the word's prefix hashes H (see VocabTable.Base).
    private readonly ulong[] _powers;
    private readonly ulong[] _inversePowers;

    internal BertPipeline(Vocabulary vocab, BertTokenizerOptions options)
    {
        _vocab = vocab;
        _options = options;
        _unkId = vocab.TokenToId[options.UnkToken];
        _maxChars = options.MaxInputCharsPerWord;
        _capacity = (2 * _maxChars) + 2;
        _strip = options.EffectiveStripAccents;
        _whole = vocab.WholeTable;
        _continuation = vocab.ContinuationTable;
        _powers = new ulong[_capacity + 1];
        _inversePowers = new ulong[_capacity + 1];
        var inverse = VocabTable.InverseBase();
        _powers[0] = _inversePowers[0] = 1;
        for (var k = 1; k <= _capacity; k++)
        {
            _powers[k] = _powers[k - 1] * VocabTable.Base;
            _inversePowers[k] = _inversePowers[k - 1] * inverse;
        }

        // Longest first, so that at one position the longest special token wins (leftmost-longest).
        _specials = [.. options.SpecialTokens.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length).Select(t => (t, vocab.TokenToId[t]))];

        for (var c = 0; c < 128; c++)
        {
            _ascii[c] = c switch
            {
                '\t' or '\n' or '\r' or ' ' => Space,
                _ when options.CleanText && (c == 0 || c < 0x20 || c == 0x7F) => Drop,
                _ when CharClass.IsRustWhitespace(c) => Space,
                _ when CharClass.IsAsciiPunctuation(c) => Punct,
                _ => Word,
            };
            _asciiPunctId[c] = vocab.Whole.TryGetValue([(char)c], out var id) ? id : _unkId;
        }

        foreach (var (text, _) in _specials)
        {
            if (text[0] < 128)
            {
                _ascii[text[0]] |= SpecialStart;
            }
            else
            {
                _nonAsciiSpecialStarts.Add(text[0]);
            }
        }

        for (var c = 0; c < 128; c++)
        {
            // ASCII lowercases to ASCII, so the normalized char fits the low byte.
            var normalized = options.LowerCase ? char.ToLowerInvariant((char)c) : (char)c;
            _asciiTable[c] = (ushort)((_ascii[c] << 8) | normalized);
        }
    }

    /// <summary>Encodes <paramref name="text"/> into <paramref name="sink"/>; false when the sink stopped early.</summary>
    internal bool Encode<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        var capacity = _capacity;
        var chars = ArrayPool<char>.Shared.Rent(capacity);
        var hashes = ArrayPool<ulong>.Shared.Rent(capacity + 1);
        var ints = ArrayPool<int>.Shared.Rent(TSink.TracksOffsets ? 4 * capacity : 2 * capacity);
        try
        {
            var word = new WordState(chars.AsSpan(0, capacity), hashes, _powers, ints.AsSpan(), capacity, _maxChars, TSink.TracksOffsets);
            return Run(text, ref word, ref sink);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<ulong>.Shared.Return(hashes);
            ArrayPool<int>.Shared.Return(ints);
        }
    }

    private bool Run<TSink>(ReadOnlySpan<char> text, ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        // Only what plain ASCII prose is made of is handled here (word runs, whitespace, punctuation):
        // a small loop the JIT keeps in registers. Everything else is one step of Step.
        var table = _asciiTable;
        var punctIds = _asciiPunctId;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 128)
            {
                var entry = table[c];
                if (entry < 0x100)
                {
                    i = word.AppendAsciiRun<TSink>(text, i, table);
                    continue;
                }

                if (entry >> 8 == Space)
                {
                    if (!FlushHot(ref word, ref sink))
                    {
                        return false;
                    }

                    i++;
                    continue;
                }

                if (entry >> 8 == Punct)
                {
                    if (!FlushHot(ref word, ref sink) || !EmitAsciiPunctuation(punctIds[c], text, i, ref sink))
                    {
                        return false;
                    }

                    i++;
                    continue;
                }
            }

            i = Step(text, i, ref word, ref sink);
            if (i < 0)
            {
                return false;
            }
        }

        return Flush(ref word, ref sink);
    }

    /// <summary>
    /// One step of the pipeline at <c>text[i]</c> for what <see cref="Run"/> does not handle itself
    /// (dropped controls, special tokens, non-ASCII runs); returns where to go on, or -1 when the sink stopped.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Step<TSink>(ReadOnlySpan<char> text, int i, ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        var ascii = _ascii;
        var c = text[i];
        if (c < 128)
        {
            var kind = ascii[c];
            if (kind == Drop)
            {
                return i + 1;
            }

            if ((kind & SpecialStart) != 0 && TryMatchSpecial(text, i, out var specialId, out var specialLength))
            {
                return Flush(ref word, ref sink) && Emit(specialId, i, i + specialLength, ref sink) ? i + specialLength : -1;
            }

            switch (kind & ~SpecialStart)
            {
                case Punct:
                    return Flush(ref word, ref sink) && EmitAsciiPunctuation(_asciiPunctId[c], text, i, ref sink) ? i + 1 : -1;
                case Word:
                    return word.AppendAsciiRun<TSink>(text, i, _asciiTable);
                case Space:
                    return Flush(ref word, ref sink) ? i + 1 : -1;
                default:
                    return i + 1;
            }
        }

        if (_nonAsciiSpecialStarts.Count > 0 && TryMatchSpecial(text, i, out var id, out var length))
        {
            return Flush(ref word, ref sink) && Emit(id, i, i + length, ref sink) ? i + length : -1;
        }

        // The run ends at the next ASCII character that survives cleaning: ASCII characters are
        // starters, so canonical reordering never crosses them.
        var end = i + 1;
        while (end < text.Length && (text[end] >= 128 ? !_nonAsciiSpecialStarts.Contains(text[end]) : ascii[text[end]] == Drop))
        {
            end++;
        }

        return SlowRun(text, i, end, ref word, ref sink) ? end : -1;
    }

    private bool TryMatchSpecial(ReadOnlySpan<char> text, int i, out int id, out int length)
    {
        var rest = text[i..];
        foreach (var (special, specialId) in _specials)
        {
            if (rest.StartsWith(special, StringComparison.Ordinal))
            {
                id = specialId;
                length = special.Length;
                return true;
            }
        }

        id = length = 0;
        return false;
    }

    /// <summary>The exact path for non-ASCII text: normalizes the run, then pre-tokenizes what it produced.</summary>
    private bool SlowRun<TSink>(ReadOnlySpan<char> text, int start, int end, ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        // Worst cases: CJK padding makes 3 code points of one; a full canonical decomposition is at most 4.
        var size = 3 * (end - start);
        var rented = ArrayPool<int>.Shared.Rent(_strip ? 10 * size : 2 * size);
        try
        {
            var cps = rented.AsSpan(0, size);
            var origins = rented.AsSpan(size, size);
            var count = Clean(text, start, end, cps, origins);
            if (_strip)
            {
                var decomposed = rented.AsSpan(2 * size, 4 * size);
                var decomposedOrigins = rented.AsSpan(6 * size, 4 * size);
                count = StripAccents(cps[..count], origins[..count], decomposed, decomposedOrigins);
                cps = decomposed;
                origins = decomposedOrigins;
            }

            Span<int> lower = stackalloc int[2];
            for (var n = 0; n < count; n++)
            {
                var from = origins[n];
                var to = from + (char.IsHighSurrogate(text[from]) && from + 1 < end && char.IsLowSurrogate(text[from + 1]) ? 2 : 1);
                var cp = cps[n];
                if (_options.LowerCase && cp >= 'A')
                {
                    var lowerCount = CaseMapping.ToLower(cp, lower);
                    for (var m = 0; m < lowerCount; m++)
                    {
                        if (!Classify(lower[m], from, to, ref word, ref sink))
                        {
                            return false;
                        }
                    }
                }
                else if (!Classify(cp, from, to, ref word, ref sink))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes UTF-16 and applies clean_text and handle_chinese_chars; returns the code point count.</summary>
    private int Clean(ReadOnlySpan<char> text, int start, int end, Span<int> cps, Span<int> origins)
    {
        var count = 0;
        for (var k = start; k < end; k++)
        {
            int cp = text[k];
            var from = k;
            if (char.IsHighSurrogate(text[k]) && k + 1 < end && char.IsLowSurrogate(text[k + 1]))
            {
                cp = char.ConvertToUtf32(text[k], text[k + 1]);
                k++;
            }
            else if (char.IsSurrogate(text[k]))
            {
                // A lone surrogate cannot cross into Rust: UTF-8 marshalling makes it U+FFFD.
                cp = 0xFFFD;
            }

            if (_options.CleanText)
            {
                if (cp == 0 || cp == 0xFFFD || (cp is not ('\t' or '\n' or '\r') && (CharClass.Of(cp) & CharClass.Other) != 0))
                {
                    continue;
                }

                if (CharClass.IsRustWhitespace(cp))
                {
                    cp = ' ';
                }
            }

            if (_options.HandleChineseChars && CharClass.IsChinese(cp))
            {
                cps[count] = ' ';
                origins[count++] = from;
                cps[count] = cp;
                origins[count++] = from;
                cps[count] = ' ';
                origins[count++] = from;
            }
            else
            {
                cps[count] = cp;
                origins[count++] = from;
            }
        }

        return count;
    }

    /// <summary>NFD, then drop non-spacing marks; returns the code point count written to <paramref name="output"/>.</summary>
    private static int StripAccents(ReadOnlySpan<int> cps, ReadOnlySpan<int> origins, Span<int> output, Span<int> outputOrigins)
    {
        var count = 0;
        for (var n = 0; n < cps.Length; n++)
        {
            var written = Nfd.Decompose(cps[n], output[count..]);
            outputOrigins.Slice(count, written).Fill(origins[n]);
            count += written;
        }

        Nfd.Reorder(output[..count], outputOrigins[..count]);
        var kept = 0;
        for (var n = 0; n < count; n++)
        {
            if ((CharClass.Of(output[n]) & CharClass.NonspacingMark) == 0)
            {
                output[kept] = output[n];
                outputOrigins[kept++] = outputOrigins[n];
            }
        }

        return kept;
    }

    /// <summary>BertPreTokenizer on one normalized code point: split on whitespace, isolate punctuation.</summary>
    private bool Classify<TSink>(int cp, int from, int to, ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        if (CharClass.IsRustWhitespace(cp))
        {
            return Flush(ref word, ref sink);
        }

        if ((CharClass.Of(cp) & CharClass.Punctuation) != 0)
        {
            if (!Flush(ref word, ref sink))
            {
                return false;
            }

            Span<char> single = stackalloc char[2];
            var length = new System.Text.Rune(cp).EncodeToUtf16(single);
            if (TSink.TakesWords)
            {
                sink.AddWord(single[..length]);
                return true;
            }

            var id = _vocab.Whole.TryGetValue(single[..length], out var found) ? found : _unkId;
            return Emit(id, from, to, ref sink);
        }

        if (cp < 0x10000)
        {
            word.Append((char)cp, from, to);
        }
        else
        {
            word.AppendPair(cp, from, to);
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Emit<TSink>(int id, int start, int end, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        sink.Add(id, start, end);
        return sink.EndWord();
    }

    /// <summary>An ASCII punctuation character, <c>text[i]</c>, as its own word (its normalized form: case mapping leaves it alone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EmitAsciiPunctuation<TSink>(int id, ReadOnlySpan<char> text, int i, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        if (TSink.TakesWords)
        {
            sink.AddWord(text.Slice(i, 1));
            return true;
        }

        return Emit(id, i, i + 1, ref sink);
    }

    /// <summary>WordPiece on the word collected so far, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Flush<TSink>(ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink =>
        word.CodePoints == 0 || FlushWord(ref word, ref sink);

    /// <summary>
    /// <see cref="Flush"/> for the delimiters after most words (space, ASCII punctuation): the common
    /// case, a word that is one vocabulary entry, is inlined there; anything else goes to <see cref="FlushWord"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FlushHot<TSink>(ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        var codePoints = word.CodePoints;
        if (codePoints == 0)
        {
            return true;
        }

        if (TSink.TakesWords)
        {
            return FlushWord(ref word, ref sink);
        }

        var chars = word.Chars;
        if (codePoints <= _maxChars && chars.Length <= _vocab.MaxWholeLength)
        {
            var id = _whole.Find(word.Hashes[chars.Length], chars);
            if (id >= 0)
            {
                if (TSink.TracksOffsets)
                {
                    sink.Add(id, word.Starts[0], word.Ends[chars.Length - 1]);
                }
                else
                {
                    sink.Add(id, word.SourceStart, word.SourceEnd);
                }

                word.Reset();
                return sink.EndWord();
            }
        }

        return FlushWord(ref word, ref sink);
    }

    /// <summary>WordPiece on a non-empty word: greedy longest match, [UNK] for the whole word if any piece fails.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool FlushWord<TSink>(ref WordState word, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        if (TSink.TakesWords)
        {
            // Pre-tokenization stops where WordPiece would start. A word over the length limit is [UNK]
            // whatever the vocabulary (and only its prefix is stored), so it is not handed on.
            if (word.CodePoints <= _maxChars)
            {
                sink.AddWord(word.Chars);
            }

            word.Reset();
            return true;
        }

        var chars = word.Chars;
        var hashes = word.Hashes;
        var (wordStart, wordEnd) = (word.SourceStart, word.SourceEnd);
        var overflow = word.CodePoints > _maxChars;
        word.Reset();
        if (overflow)
        {
            return Emit(_unkId, wordStart, wordEnd, ref sink);
        }

        // Most words are a single piece: one lookup with the hash collected along the way.
        var length = chars.Length;
        var maxWhole = _vocab.MaxWholeLength;
        if (length <= maxWhole)
        {
            var id = _whole.Find(hashes[length], chars);
            if (id >= 0)
            {
                if (TSink.TracksOffsets)
                {
                    sink.Add(id, word.Starts[0], word.Ends[length - 1]);
                }
                else
                {
                    sink.Add(id, wordStart, wordEnd);
                }

                return sink.EndWord();
            }

            // The whole word was tried: the greedy search starts one character (or pair) shorter.
            maxWhole = length - 1;
        }

        var pieceIds = word.PieceIds;
        var pieceEnds = word.PieceEnds;
        var inversePowers = _inversePowers;
        var count = 0;
        var start = 0;
        while (start < length)
        {
            var end = Math.Min(length, start + (start == 0 ? maxWhole : _vocab.MaxContinuationLength));
            var found = -1;
            while (end > start)
            {
                var piece = chars[start..end];
                var id = start == 0
                    ? _whole.Find(hashes[end], piece)
                    : _continuation.Find((hashes[end] - hashes[start]) * inversePowers[start], piece);
                if (id >= 0)
                {
                    found = id;
                    break;
                }

                end -= end - 2 >= start && char.IsLowSurrogate(chars[end - 1]) && char.IsHighSurrogate(chars[end - 2]) ? 2 : 1;
            }

            if (found < 0)
            {
                return Emit(_unkId, wordStart, wordEnd, ref sink);
            }

            pieceIds[count] = found;
            pieceEnds[count] = end;
            count++;
            start = end;
        }

        var pieceStart = 0;
        for (var p = 0; p < count; p++)
        {
            if (TSink.TracksOffsets)
            {
                sink.Add(pieceIds[p], word.Starts[pieceStart], word.Ends[pieceEnds[p] - 1]);
            }
            else
            {
                sink.Add(pieceIds[p], wordStart, wordEnd);
            }

            pieceStart = pieceEnds[p];
        }

        return sink.EndWord();
    }
}
