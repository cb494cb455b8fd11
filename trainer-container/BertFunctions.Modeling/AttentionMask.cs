using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>Turns a tokenizer's padding mask into the mask <c>scaled_dot_product_attention</c> takes.</summary>
public static class AttentionMask
{
    /// <summary>
    /// (B, T) 1/0 padding mask to a boolean (B, 1, 1, T) mask, true where a key may be attended to, broadcast over
    /// heads and queries. A sequence that is all padding would leave every score masked, and softmax over nothing
    /// is NaN; such rows attend to every position instead, so their (meaningless) outputs stay finite and never
    /// poison a loss or a gradient.
    /// </summary>
    public static Tensor ForScaledDotProduct(Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        var keep = attentionMask.ne(0);                              // (B, T)
        var allPadding = keep.any(1, keepdim: true).logical_not();   // (B, 1)
        return keep.logical_or(allPadding).unsqueeze(1).unsqueeze(1); // (B, 1, 1, T)
    }
}
