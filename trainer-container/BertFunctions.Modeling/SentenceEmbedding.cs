using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>Sentence vectors as sentence-transformers computes them for all-MiniLM-L6-v2: masked mean of the last hidden state, L2-normalised.</summary>
public static class SentenceEmbedding
{
    /// <summary>Mean of <paramref name="lastHiddenState"/> (B, T, C) over positions where <paramref name="attentionMask"/> (B, T) is 1, scaled to unit length: (B, C).</summary>
    public static Tensor MeanPooled(Tensor lastHiddenState, Tensor attentionMask) =>
        nn.functional.normalize(Mean(lastHiddenState, attentionMask), p: 2, dim: 1, eps: 1e-12); // (B, C)

    /// <summary>Mean of <paramref name="lastHiddenState"/> (B, T, C) over positions where <paramref name="attentionMask"/> (B, T) is 1: (B, C), not normalised.</summary>
    public static Tensor Mean(Tensor lastHiddenState, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(lastHiddenState);
        ArgumentNullException.ThrowIfNull(attentionMask);
        var mask = attentionMask.ne(0).unsqueeze(-1).to(lastHiddenState.dtype);            // (B, T, 1)
        var sum = (lastHiddenState * mask).sum(1);                                           // (B, C)
        var count = mask.sum(1).clamp_min(1e-9);                                             // (B, 1), as sentence-transformers clamps
        return sum / count;                                                                  // (B, C)
    }

    /// <summary>Runs <paramref name="model"/> without gradients and pools: int64 (B, T) inputs to (B, C) unit vectors on the inputs' device.</summary>
    public static Tensor Encode(BertModel model, Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = model.forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState; // (B, T, C)
        return MeanPooled(hidden, attentionMask).MoveToOuterDisposeScope();
    }
}
