namespace BertFunctions.Datasets;

/// <summary>Masked-LM settings, named and defaulted as in BERT's <c>create_pretraining_data.py</c>.</summary>
public sealed record MaskingOptions
{
    /// <summary>Fraction of a sequence's length to predict (<c>masked_lm_prob</c>).</summary>
    public double MaskedLmProbability { get; init; } = 0.15;

    /// <summary>
    /// Cap on predictions per sequence (<c>max_predictions_per_seq</c>); null means
    /// ceil(max_seq_len × <see cref="MaskedLmProbability"/>), which is BERT's 20 at 128.
    /// </summary>
    public int? MaxPredictionsPerSeq { get; init; }

    /// <summary>Choose whole words (a piece plus its <c>##</c> continuations) instead of single pieces.</summary>
    public bool WholeWordMasking { get; init; }

    /// <summary>The cap that applies to sequences of at most <paramref name="maxSeqLen"/> ids.</summary>
    public int ResolveMaxPredictions(int maxSeqLen) =>
        MaxPredictionsPerSeq ?? (int)Math.Ceiling(maxSeqLen * MaskedLmProbability - 1e-9);
}
