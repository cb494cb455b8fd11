using BertFunctions.Modeling;
using static TorchSharp.torch;

namespace BertFunctions.Training.Engine;

/// <summary>
/// A copy of the float32 master weights at the best validation evaluation so far, to put back at the end of a job whose
/// last step is worse (keep_best). Kept on the CPU, so a GPU job does not hold two models in device memory; tied
/// aliases are left out, as in a checkpoint (<see cref="StrictLoader"/> fills them in).
/// </summary>
internal sealed class BestWeights : IDisposable
{
    private Dictionary<string, Tensor> weights = [];

    /// <summary>The step the weights are from; null before the first capture.</summary>
    public long? Step { get; private set; }

    /// <summary>Copies the module's current weights as those of <paramref name="step"/>.</summary>
    public void Capture(nn.Module module, long step)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tied = (module as ITiedWeights)?.TiedKeys ?? [];
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, tensor) in module.state_dict().Where(kv => !tied.Contains(kv.Key)))
            {
                copy[name] = tensor.detach().cpu().clone();
            }
        }

        Replace(copy, step);
    }

    /// <summary>Copies the kept weights into the module.</summary>
    public void LoadInto(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (Step is not { } step)
        {
            throw new InvalidOperationException("no weights were captured");
        }

        StrictLoader.Load(module, weights, $"the best weights (step {step})");
    }

    /// <summary>Writes the kept weights as safetensors (HF names).</summary>
    public void Write(string path) => SafeTensors.Write(path, weights);

    /// <summary>Reads weights written by <see cref="Write"/> as those of <paramref name="step"/>.</summary>
    public void Read(string path, long step) => Replace(new Dictionary<string, Tensor>(SafeTensors.Read(path), StringComparer.Ordinal), step);

    public void Dispose() => Replace([], null);

    private void Replace(Dictionary<string, Tensor> next, long? step)
    {
        foreach (var t in weights.Values)
        {
            t.Dispose();
        }

        weights = next;
        Step = step;
    }
}
