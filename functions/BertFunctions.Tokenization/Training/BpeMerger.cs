using System.Runtime.InteropServices;

namespace BertFunctions.Tokenization.Training;

/// <summary>
/// BPE training over counted words, as HF's BpeTrainer with <c>continuing_subword_prefix = "##"</c>:
/// each word starts as its characters (all but the first in their <c>##</c> form), and the most frequent
/// adjacent pair is merged into a new token until the vocabulary is full.
/// </summary>
/// <remarks>
/// Pair counts are kept up to date incrementally, with an index from each pair to the words that hold
/// it, so a merge only visits those words. The queue is lazy: an entry whose count went stale is
/// re-queued with the current count when it surfaces. Counts of existing pairs only fall between
/// pushes, and every pair whose count rose is pushed again, so the first entry that is current is the
/// true maximum.
/// </remarks>
internal sealed class BpeMerger
{
    private const string Prefix = Vocabulary.ContinuationPrefix;

    private readonly List<string> _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly int[][] _symbols;
    private readonly int[] _lengths;
    private readonly long[] _counts;
    private readonly Dictionary<long, long> _pairCounts = [];
    private readonly Dictionary<long, List<int>> _pairWords = [];
    private readonly HashSet<long> _risen = [];

    /// <param name="tokens">The vocabulary so far (specials and alphabet); merged tokens are appended.</param>
    /// <param name="words">Distinct words, in a fixed order.</param>
    /// <param name="counts">Occurrences of each word.</param>
    internal BpeMerger(List<string> tokens, IReadOnlyList<string> words, IReadOnlyList<long> counts)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Count * 2, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Count; id++)
        {
            _ids.TryAdd(tokens[id], id);
        }

        _symbols = new int[words.Count][];
        _lengths = new int[words.Count];
        _counts = [.. counts];
        var symbols = new List<int>();
        for (var w = 0; w < words.Count; w++)
        {
            var word = words[w];
            symbols.Clear();
            for (var i = 0; i < word.Length; i += Alphabet.Length(word, i))
            {
                // A character outside the alphabet is dropped from the word (HF does the same); the
                // next one keeps its ## form, as position in the word, not in what is left, decides.
                var text = Alphabet.Text(Alphabet.CodePoint(word, i));
                if (_ids.TryGetValue(i == 0 ? text : Prefix + text, out var id))
                {
                    symbols.Add(id);
                }
            }

            _symbols[w] = [.. symbols];
            _lengths[w] = symbols.Count;
            for (var k = 0; k + 1 < symbols.Count; k++)
            {
                Rise(Key(symbols[k], symbols[k + 1]), counts[w], w);
            }
        }

        _risen.Clear();
    }

    /// <summary>Merges until <paramref name="vocabularySize"/> tokens or no pair reaches <paramref name="minFrequency"/>; returns the merges done.</summary>
    internal int Run(int vocabularySize, long minFrequency, CancellationToken cancellationToken)
    {
        var floor = Math.Max(1, minFrequency);
        var queue = new PriorityQueue<long, PairPriority>(_pairCounts.Count, new PairPriorityComparer(_tokens));
        foreach (var (pair, count) in _pairCounts)
        {
            if (count >= floor)
            {
                queue.Enqueue(pair, Priority(pair, count));
            }
        }

        var merges = 0;
        while (_tokens.Count < vocabularySize && queue.TryDequeue(out var pair, out var queued))
        {
            var count = _pairCounts.GetValueOrDefault(pair);
            if (count != queued.Count)
            {
                if (count >= floor)
                {
                    queue.Enqueue(pair, Priority(pair, count));
                }

                continue;
            }

            if ((++merges & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Merge(pair);
            foreach (var risen in _risen)
            {
                var now = _pairCounts[risen];
                if (now >= floor)
                {
                    queue.Enqueue(risen, Priority(risen, now));
                }
            }

            _risen.Clear();
        }

        return merges;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static PairPriority Priority(long pair, long count) => new(count, (int)(pair >> 32), (int)pair);

    /// <summary>Replaces every occurrence of <paramref name="pair"/> by its merged token, updating the pair counts.</summary>
    private void Merge(long pair)
    {
        var (left, right) = ((int)(pair >> 32), (int)pair);
        var rightText = _tokens[right];
        var merged = _tokens[left] + (rightText.StartsWith(Prefix, StringComparison.Ordinal) ? rightText[Prefix.Length..] : rightText);
        if (!_ids.TryGetValue(merged, out var id))
        {
            // Two different pairs can spell the same token (a+##bc, ab+##c): the second reuses its id.
            id = _tokens.Count;
            _tokens.Add(merged);
            _ids.Add(merged, id);
        }

        if (!_pairWords.Remove(pair, out var words))
        {
            return;
        }

        foreach (var w in words)
        {
            MergeIn(w, left, right, id);
        }

        // Every occurrence is gone (an overlapping run like a a a also counted the pair down on the way):
        // it cannot come back, as the new token differs from both parts.
        _pairCounts.Remove(pair);
    }

    /// <summary>Merges the pair, left to right and without overlaps, in one word; a word that no longer holds it is left alone.</summary>
    private void MergeIn(int w, int left, int right, int id)
    {
        var symbols = _symbols[w];
        var length = _lengths[w];
        var count = _counts[w];
        var write = 0;
        var read = 0;
        while (read < length)
        {
            if (symbols[read] == left && read + 1 < length && symbols[read + 1] == right)
            {
                // The neighbours: on the left the symbol already written (merged if the previous pair was),
                // on the right the one not yet read, so back-to-back merges cancel out correctly.
                if (write > 0)
                {
                    var before = symbols[write - 1];
                    Fall(Key(before, left), count);
                    Rise(Key(before, id), count, w);
                }

                if (read + 2 < length)
                {
                    var after = symbols[read + 2];
                    Fall(Key(right, after), count);
                    Rise(Key(id, after), count, w);
                }

                symbols[write++] = id;
                read += 2;
            }
            else
            {
                symbols[write++] = symbols[read++];
            }
        }

        _lengths[w] = write;
    }

    private void Fall(long pair, long count) => CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, pair, out _) -= count;

    private void Rise(long pair, long count, int w)
    {
        CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, pair, out _) += count;
        ref var words = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, pair, out _);
        words ??= [];

        // One entry per word: its occurrences of the pair are all found when the word is visited.
        if (words.Count == 0 || words[^1] != w)
        {
            words.Add(w);
        }

        _risen.Add(pair);
    }
}
