namespace BertFunctions.Tokenization;

/// <summary>Model input for one text or one pair of texts, as HF's <c>BertProcessing</c> builds it.</summary>
/// <param name="InputIds"><c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>.</param>
/// <param name="AttentionMask">All ones (no padding is added).</param>
/// <param name="TokenTypeIds">0 for the first segment and its specials, 1 for the second segment and its <c>[SEP]</c>.</param>
public sealed record BertEncoding(int[] InputIds, int[] AttentionMask, int[] TokenTypeIds)
{
    /// <summary>True when word pieces were cut to fit the requested maximum length.</summary>
    public bool Truncated { get; init; }
}
