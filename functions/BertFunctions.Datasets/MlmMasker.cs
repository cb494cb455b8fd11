namespace BertFunctions.Datasets;

/// <summary>
/// Masked-LM masking with the rules of BERT's <c>create_masked_lm_predictions</c>: candidates are all
/// non-special positions (whole words with whole-word masking), shuffled; num_to_predict =
/// min(max_predictions_per_seq, max(1, round(len(tokens) × masked_lm_prob))) with len counting [CLS] and
/// [SEP] and round-half-to-even as Python's <c>round</c>; candidates are taken in shuffled order, skipping a
/// word that would overshoot the budget; each selected position becomes [MASK] with probability 0.8, else
/// stays unchanged with probability 0.5, else becomes a random non-special id.
/// </summary>
public sealed class MlmMasker
{
    /// <summary>Longest sequence whose scratch buffers go on the stack (BERT's limit is 512).</summary>
    private const int StackLimit = 1024;

    private readonly TokenVocabulary _vocabulary;
    private readonly int _maxPredictions;

    /// <summary>A masker for sequences of at most <paramref name="maxSeqLen"/> ids.</summary>
    public MlmMasker(TokenVocabulary vocabulary, MaskingOptions options, int maxSeqLen)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.MaskedLmProbability is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaskedLmProbability, "MaskedLmProbability must lie in (0, 1).");
        }

        _vocabulary = vocabulary;
        Options = options;
        _maxPredictions = options.ResolveMaxPredictions(maxSeqLen);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxPredictions, nameof(options.MaxPredictionsPerSeq));
    }

    /// <summary>The settings.</summary>
    public MaskingOptions Options { get; }

    /// <summary>The prediction budget of a sequence of <paramref name="length"/> ids (including [CLS] and [SEP]).</summary>
    public int NumToPredict(int length) =>
        Math.Min(_maxPredictions, Math.Max(1, (int)Math.Round(length * Options.MaskedLmProbability, MidpointRounding.ToEven)));

    /// <summary>Masks one sequence, drawing every decision from <paramref name="random"/>.</summary>
    public TrainingExample Mask(ReadOnlySpan<int> sequence, Xoshiro256StarStar random) => Mask(sequence, random, out _);

    /// <summary>Masks one sequence and reports how the selected positions were treated.</summary>
    public TrainingExample Mask(ReadOnlySpan<int> sequence, Xoshiro256StarStar random, out MaskingOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(random);

        // Runs once per example and copy: the candidates and the selection live on the stack (sequences are at most
        // a few hundred ids), so only the example's own three arrays are allocated.
        var words = sequence.Length <= StackLimit ? stackalloc (int Start, int Length)[sequence.Length] : new (int Start, int Length)[sequence.Length];
        words = words[..CandidateWords(sequence, words)];
        random.Shuffle(words);

        var budget = NumToPredict(sequence.Length);
        var selected = budget <= StackLimit ? stackalloc int[budget] : new int[budget];
        var count = 0;
        foreach (var (start, length) in words)
        {
            if (count >= budget)
            {
                break;
            }

            // As BERT: a word that would overshoot the budget is skipped, a shorter one later may still fit.
            // Words never overlap here, so BERT's covered-index check is not needed.
            if (count + length > budget)
            {
                continue;
            }

            for (var i = start; i < start + length; i++)
            {
                selected[count++] = i;
            }
        }

        selected = selected[..count];

        // Decisions are drawn in selection (shuffled) order, as BERT does, then positions are sorted.
        var output = sequence.ToArray();
        int masked = 0, replaced = 0, kept = 0;
        foreach (var position in selected)
        {
            if (random.NextDouble() < 0.8)
            {
                output[position] = _vocabulary.MaskId;
                masked++;
            }
            else if (random.NextDouble() < 0.5)
            {
                kept++;
            }
            else
            {
                output[position] = _vocabulary.NonSpecialIds[random.NextInt(_vocabulary.NonSpecialIds.Count)];
                replaced++;
            }
        }

        selected.Sort();
        var positions = selected.ToArray();
        var originals = new int[positions.Length];
        for (var i = 0; i < positions.Length; i++)
        {
            originals[i] = sequence[positions[i]];
        }

        outcome = new MaskingOutcome(masked, replaced, kept);
        return new TrainingExample(output, positions, originals, TrainingExample.NoLabel);
    }

    /// <summary>Writes the candidate (start, length) spans into <paramref name="words"/> and returns their number: single non-special pieces, or whole words with whole-word masking.</summary>
    private int CandidateWords(ReadOnlySpan<int> sequence, Span<(int Start, int Length)> words)
    {
        var count = 0;
        var previousWasCandidate = false;
        for (var i = 0; i < sequence.Length; i++)
        {
            var id = sequence[i];
            if (_vocabulary.IsSpecial(id))
            {
                previousWasCandidate = false;
                continue;
            }

            // A ## piece joins the word before it; after a special token (or at a chunk start) it starts its own word.
            if (Options.WholeWordMasking && previousWasCandidate && _vocabulary.IsContinuation(id))
            {
                words[count - 1].Length++;
            }
            else
            {
                words[count++] = (i, 1);
            }

            previousWasCandidate = true;
        }

        return count;
    }
}
