namespace BertFunctions.Datasets;

/// <summary>Settings of pretraining example generation.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Sequence length including [CLS] and [SEP] (8..512; BERT's phase-1 value 128 by default).</summary>
    public int MaxSeqLen { get; init; } = 128;

    /// <summary>
    /// Statically masked copies of every sequence (BERT's <c>dupe_factor</c>, default 5 as its script).
    /// Use 1 when the trainer re-masks dynamically (RoBERTa).
    /// </summary>
    public int DupeFactor { get; init; } = 5;

    /// <summary>Masked-LM settings.</summary>
    public MaskingOptions Masking { get; init; } = new();
}
