namespace BertFunctions.Training.Evaluation;

/// <summary>Masked-LM metrics over a split: mean cross-entropy per masked token, its exponential, and top-1 accuracy.</summary>
/// <param name="Loss">Mean cross-entropy over all masked tokens (not a mean of batch means).</param>
/// <param name="MaskedTokens">Masked tokens scored.</param>
/// <param name="Correct">Masked tokens whose top-1 prediction is the original id.</param>
public sealed record MlmMetrics(double Loss, long MaskedTokens, long Correct)
{
    /// <summary>exp(loss).</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Correct / masked tokens.</summary>
    public double Accuracy => MaskedTokens == 0 ? 0 : (double)Correct / MaskedTokens;

    /// <summary>From summed losses and counts.</summary>
    public static MlmMetrics FromSums(double lossSum, long maskedTokens, long correct) =>
        new(maskedTokens == 0 ? 0 : lossSum / maskedTokens, maskedTokens, correct);

    /// <summary>loss, perplexity, masked_accuracy.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["loss"] = Loss,
        ["perplexity"] = Perplexity,
        ["masked_accuracy"] = Accuracy,
    };
}
