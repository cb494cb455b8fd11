namespace BertFunctions.Datasets;

/// <summary>Settings of fine-tuning (sequence classification) examples.</summary>
public sealed record ClassificationOptions
{
    /// <summary>Sequence length including [CLS] and [SEP] (8..512).</summary>
    public int MaxSeqLen { get; init; } = 128;

    /// <summary>What to keep of a text longer than <see cref="MaxSeqLen"/> − 2 pieces.</summary>
    public TruncationPolicy Truncation { get; init; } = TruncationPolicy.HeadTail;

    /// <summary>With <see cref="TruncationPolicy.HeadTail"/>: the head's share of the budget, rounded half up (the rest is tail).</summary>
    public double HeadFraction { get; init; } = 0.25;
}
