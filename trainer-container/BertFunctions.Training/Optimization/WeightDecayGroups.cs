using TorchSharp.Modules;

namespace BertFunctions.Training.Optimization;

/// <summary>The parameters split by whether AdamW decays them.</summary>
/// <param name="Decay">Matrices (weights of Linear and Embedding layers).</param>
/// <param name="NoDecay">Vectors: every bias and every LayerNorm weight.</param>
public sealed record WeightDecayGroups(IReadOnlyList<(string Name, Parameter Parameter)> Decay, IReadOnlyList<(string Name, Parameter Parameter)> NoDecay)
{
    /// <summary>Number of scalar parameters in <see cref="Decay"/>.</summary>
    public long DecayElements => Decay.Sum(p => p.Parameter.numel());

    /// <summary>Number of scalar parameters in <see cref="NoDecay"/>.</summary>
    public long NoDecayElements => NoDecay.Sum(p => p.Parameter.numel());

    /// <summary>Every parameter, decayed group first, in the optimizer's order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> All => Decay.Concat(NoDecay);

    /// <summary>
    /// The rule (as nanoGPT's <c>configure_optimizers</c>): a parameter with two or more dimensions decays; biases and
    /// LayerNorm weights, which are vectors, do not. Decaying them would pull norms' gains towards zero for no benefit.
    /// </summary>
    public static WeightDecayGroups Split(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var trainable = parameters.Where(p => p.Parameter.requires_grad).ToList();
        return new WeightDecayGroups(
            trainable.Where(p => p.Parameter.dim() >= 2).ToList(),
            trainable.Where(p => p.Parameter.dim() < 2).ToList());
    }
}
