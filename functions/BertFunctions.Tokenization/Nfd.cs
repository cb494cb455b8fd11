namespace BertFunctions.Tokenization;

/// <summary>
/// Canonical decomposition (NFD) from embedded Unicode data, because <see cref="string.Normalize()"/>
/// is a no-op under InvariantGlobalization.
/// </summary>
internal static class Nfd
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>Writes the full canonical decomposition of <paramref name="c"/> (itself when it has none); returns its length (at most 4).</summary>
    internal static int Decompose(int c, Span<int> output)
    {
        if (c < 0xC0)
        {
            output[0] = c;
            return 1;
        }

        var s = c - SBase;
        if (s >= 0 && s < SCount)
        {
            // Hangul syllables decompose algorithmically (Unicode 3.12).
            output[0] = LBase + (s / NCount);
            output[1] = VBase + (s % NCount / TCount);
            if (s % TCount == 0)
            {
                return 2;
            }

            output[2] = TBase + (s % TCount);
            return 3;
        }

        var index = NfdData.DecomposableCodePoints.BinarySearch(c);
        if (index < 0)
        {
            output[0] = c;
            return 1;
        }

        var offsets = NfdData.DecompositionOffsets;
        var decomposition = NfdData.Decompositions[offsets[index]..offsets[index + 1]];
        decomposition.CopyTo(output);
        return decomposition.Length;
    }

    /// <summary>Canonical ordering: a stable sort by combining class of each run of non-starters; <paramref name="origins"/> moves along.</summary>
    internal static void Reorder(Span<int> codePoints, Span<int> origins)
    {
        for (var i = 1; i < codePoints.Length; i++)
        {
            var c = codePoints[i];
            var origin = origins[i];
            var cc = CombiningClass(c);
            if (cc == 0)
            {
                continue;
            }

            // Insertion sort: move left past non-starters of a higher class.
            var j = i;
            while (j > 0)
            {
                var prev = CombiningClass(codePoints[j - 1]);
                if (prev <= cc)
                {
                    break;
                }

                codePoints[j] = codePoints[j - 1];
                origins[j] = origins[j - 1];
                j--;
            }

            codePoints[j] = c;
            origins[j] = origin;
        }
    }

    /// <summary>The canonical combining class (0 for starters).</summary>
    internal static int CombiningClass(int c)
    {
        if (c < 0x300)
        {
            return 0;
        }

        var runs = NfdData.CombiningClassRuns;
        int lo = 0, hi = (runs.Length / 3) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (c < runs[3 * mid])
            {
                hi = mid - 1;
            }
            else if (c > runs[(3 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return runs[(3 * mid) + 2];
            }
        }

        return 0;
    }
}
